import ArgumentParser
import Channels
import Connectors
import Crypto
import EmbeddedPostgres
import Foundation
import HeraldCore
import Jobs
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// `herald bench smtp`: personalised messages per second into Postfix's `smtp-sink` on loopback with N connections
/// (each message with its own tracked links, open pixel, unsubscribe headers and `Message-ID`, written by
/// ``MIMEWriter`` and sent through ``SMTPMailSender``'s batch path as the `send_messages` job sends), next to Postfix's `smtp-source` sending plain messages
/// of the same size into the same sink with the same N, in the same run.
struct SMTPBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smtp",
        abstract: "Personalised messages/s into smtp-sink with N connections vs Postfix's smtp-source (same sink, size and N).",
        discussion: """
            Needs Postfix's smtp-sink and smtp-source (`apt-get install postfix`). Both senders keep their connections \
            open between messages (smtp-source -d), so the ratio compares the clients, not connection set-up. Build \
            with -c release before quoting figures.
            """
    )

    @Option(help: "Messages each sender sends.") var messages: Int = 2_000
    @Option(help: "SMTP connections each sender uses.") var connections: Int = 4

    func validate() throws {
        guard messages >= 1, connections >= 1 else {
            throw ArgumentParser.ValidationError("--messages and --connections must be at least 1")
        }
    }

    func run() async throws {
        var logger = Logger(label: "herald.bench")
        logger.logLevel = .error
        guard let sink = Self.postfixTool("smtp-sink"), let source = Self.postfixTool("smtp-source") else {
            throw CommandFailure(message: "smtp-sink and smtp-source are not installed: apt-get install postfix")
        }
        let port = try FreePort.find()
        var arguments = ["127.0.0.1:\(port)", "1000"]
        if getuid() == 0 { arguments = ["-u", Self.unprivilegedUser()] + arguments }
        let server = try ProcessRunner.start(sink, arguments)
        let (messages, connections) = (self.messages, self.connections)
        let herald: HeraldFigures
        let sourcePerSecond: Double
        do {
            for _ in 0..<200 where !FreePort.isAccepting(port) { try await Task.sleep(for: .milliseconds(25)) }
            guard FreePort.isAccepting(port) else { throw CommandFailure(message: "smtp-sink did not start on 127.0.0.1:\(port)") }
            herald = try await Self.measureHerald(port: port, messages: messages, connections: connections, logger: logger)
            let sourceStart = ContinuousClock.now
            let output = try await ProcessRunner.run(
                source,
                [
                    "-d", "-l", String(herald.averageBodyBytes), "-m", String(messages), "-s", String(connections), "-f",
                    "bench@herald.example", "-t", "sink@example.com", "127.0.0.1:\(port)",
                ]
            )
            let sourceSeconds = (ContinuousClock.now - sourceStart).seconds
            guard output.succeeded else {
                throw CommandFailure(message: "smtp-source failed (exit \(output.status)): \(output.standardError)")
            }
            sourcePerSecond = Double(messages) / sourceSeconds
        } catch {
            server.signal(SIGKILL)
            let output = await server.wait()
            if !output.standardError.isEmpty { print("smtp-sink: \(output.standardError)") }
            throw error
        }
        server.signal(SIGTERM)
        _ = await server.wait()

        let ratio = herald.perSecond / sourcePerSecond
        print("sender                         messages  connections  msg/s      bytes/msg")
        print(String(format: "smtp-source (plain)            %8d  %11d  %9.0f  %9d", messages, connections, sourcePerSecond, herald.averageBodyBytes))
        print(
            String(
                format: "herald (personalised, MIME)    %8d  %11d  %9.0f  %9d",
                messages,
                connections,
                herald.perSecond,
                herald.averageMessageBytes
            )
        )
        print(String(format: "ratio %.3fx smtp-source", ratio))
        let json: [String: any Encodable & Sendable] = [
            "bench": "smtp", "messages": messages, "connections": connections, "per_s": (herald.perSecond * 10).rounded() / 10,
            "smtp_source_per_s": (sourcePerSecond * 10).rounded() / 10, "ratio": (ratio * 1000).rounded() / 1000,
            "message_bytes": herald.averageMessageBytes,
        ]
        print(try Terminal.json(json.mapValues { AnyEncodable($0) }, pretty: false))
    }

    struct HeraldFigures {
        var perSecond: Double
        var averageMessageBytes: Int
        var averageBodyBytes: Int
    }

    /// Herald's sender as the `send_messages` job drives it: `messages` personalised messages rendered and handed to
    /// ``SMTPMailSender``'s batch path in the job's chunks (``SendMessagesHandler/mailChunkSize(concurrency:)``, with the
    /// concurrency a worker gives itself: twice the connections), each chunk split over the `connections` pooled
    /// connections, one pipelined chain per connection.
    static func measureHerald(port: Int, messages: Int, connections: Int, logger: Logger) async throws -> HeraldFigures {
        let configuration = SMTPConfiguration(server: SMTPServerURL(security: .plain, host: "127.0.0.1", port: port), connections: connections)
        let pool = SMTPPool(configuration, logger: logger)
        let sender = SMTPMailSender(pool: pool, logger: logger)
        let key = SymmetricKey(data: Array("herald-bench-token-key".utf8))
        let sample = Self.message(index: 0, key: key)
        let bytes = MIMEWriter().write(sample, date: Date()).count
        let body = sample.text.utf8.count + (sample.html?.utf8.count ?? 0)
        let concurrency = connections * 2
        let chunk = SendMessagesHandler.mailChunkSize(concurrency: concurrency)
        let started = ContinuousClock.now
        var start = 0
        while start < messages {
            let end = min(start + chunk, messages)
            let results = await sender.send((start..<end).map { Self.message(index: $0, key: key) }, concurrency: concurrency)
            for case .failure(let failure) in results {
                await pool.shutdown()
                throw CommandFailure(message: "smtp-sink did not take a message: \(failure)")
            }
            start = end
        }
        let seconds = (ContinuousClock.now - started).seconds
        await pool.shutdown()
        return HeraldFigures(perSecond: Double(messages) / seconds, averageMessageBytes: bytes, averageBodyBytes: body)
    }

    /// One recipient's message: their name, signed opaque tokens in every tracked link, the open pixel and the
    /// unsubscribe URL, and a `Message-ID` from the delivery's idempotency key.
    static func message(index: Int, key: SymmetricKey) -> MailMessage {
        let token = TextEncoding.base64URL(HMAC<SHA256>.authenticationCode(for: Array("bench:\(index)".utf8), using: key).prefix(18))
        let name = "Reader \(index)"
        let shop = "https://h.example/r/spring?t=\(token)"
        let guide = "https://h.example/r/guide?t=\(token)"
        let text = """
            Hello \(name),

            Trail season is here: our spring collection of running shoes is in, with free returns for 60 days.
            See the collection: \(shop)
            Read the fitting guide before you choose: \(guide)

            You receive this because you subscribed at h.example. Unsubscribe: https://h.example/u/\(token)
            """
        let html = EmailHTMLDocument.bench(name: name, shop: shop, guide: guide, pixel: "https://h.example/o/\(token).gif", token: token)
        return MailMessage(
            from: "news@herald.example",
            fromName: "Herald Outdoor",
            to: "reader\(index)@example.com",
            subject: "Trail season is here, \(name)",
            preheader: "New spring shoes, free returns for 60 days",
            text: text,
            html: html,
            messageID: MessageID.make(idempotencyKey: "bench:campaign:\(index)", sender: "news@herald.example"),
            headers: ListUnsubscribe(url: "https://h.example/u/\(token)", mailto: "unsubscribe@herald.example").headers
        )
    }

    static func postfixTool(_ name: String) -> String? {
        PostgresBinaries.findOnPath(name) ?? (FileManager.default.isExecutableFile(atPath: "/usr/sbin/\(name)") ? "/usr/sbin/\(name)" : nil)
    }

    /// smtp-sink refuses to run as root without `-u`: the postfix user when there is one.
    static func unprivilegedUser() -> String {
        getpwnam("postfix") != nil ? "postfix" : "nobody"
    }
}

/// The bench's HTML body, shaped like a campaign email (paragraphs, two tracked links, the pixel last).
enum EmailHTMLDocument {
    static func bench(name: String, shop: String, guide: String, pixel: String, token: String) -> String {
        """
        <!DOCTYPE html><html><head><meta charset="utf-8"></head><body><p>Hello \(name),</p>\
        <p>Trail season is here: our spring collection of running shoes is in, with free returns for 60 days.<br>\
        See the collection: <a href="\(shop)">\(shop)</a><br>Read the fitting guide before you choose: \
        <a href="\(guide)">\(guide)</a></p><p>You receive this because you subscribed at h.example. \
        <a href="https://h.example/u/\(token)">Unsubscribe</a></p>\
        <img src="\(pixel)" width="1" height="1" alt="" style="display:block;border:0"></body></html>
        """
    }
}
