import Channels
import Connectors
import Foundation
import HeraldTestKit
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Testing

/// Herald's SMTP client against a real SMTP server on loopback (aiosmtpd, see ``SMTPTestServer``).
@Suite(.serialized) struct SMTPMailSenderTests {
    static let logger = Logger(label: "herald.test.smtp")
    static let date = Date(timeIntervalSince1970: 1_796_107_286)

    static func message(to: String = "reader@example.org", key: String = "send:1:1") -> MailMessage {
        MailMessage(
            from: "news@herald.example",
            fromName: "Herald Outdoor",
            to: to,
            subject: "Trail season, Réa",
            preheader: "Free returns for 60 days",
            text: "Hello Réa,\n.\nSee https://h.example/r/spring?t=abc\n",
            html: "<html><body><p>Hello Réa,</p><p><a href=\"https://h.example/r/spring?t=abc\">Shop</a></p></body></html>",
            messageID: MessageID.make(idempotencyKey: key, sender: "news@herald.example"),
            headers: ListUnsubscribe(url: "https://h.example/u/TOKEN").headers
        )
    }

    static func configuration(
        _ server: SMTPTestServer,
        scheme: SMTPServerURL.Security = .plain,
        credentials: Bool = false,
        connections: Int = 2
    ) -> SMTPConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(server.certificatePath)
        let url = SMTPServerURL(
            security: scheme,
            host: scheme == .plain ? "127.0.0.1" : "localhost",
            port: server.port,
            username: credentials ? server.username : nil,
            password: credentials ? server.password : nil
        )
        return SMTPConfiguration(
            server: url,
            connections: connections,
            connectTimeout: .seconds(10),
            commandTimeout: .seconds(20),
            dataTimeout: .seconds(20),
            tls: tls
        )
    }

    static func send(_ configuration: SMTPConfiguration, _ messages: [MailMessage]) async throws -> [MailReceipt] {
        let pool = SMTPPool(configuration, logger: logger)
        let sender = SMTPMailSender(pool: pool, now: { Self.date }, logger: logger)
        var receipts: [MailReceipt] = []
        do {
            for message in messages { receipts.append(try await sender.send(message)) }
        } catch {
            await pool.shutdown()
            throw error
        }
        await pool.shutdown()
        return receipts
    }

    @Test func sendsOverPlainSMTPWithHeadersAndMIMEAsWritten() async throws {
        try await SMTPTestServer.with(SMTPTestServer.Options(startTLS: false)) { server in
            let message = Self.message()
            let receipts = try await Self.send(Self.configuration(server), [message])
            #expect(receipts == [MailReceipt(messageID: message.messageID, reply: "250 2.0.0 OK: queued as 000001")])
            let received = try server.received()
            #expect(received.count == 1)
            #expect(received.first?.mailFrom == "news@herald.example")
            #expect(received.first?.rcptTos == ["reader@example.org"])
            #expect(received.first?.tls == false)
            // The bytes as received are the bytes written (dot-stuffing undone by the server).
            let raw = try #require(try received.first?.raw())
            #expect(Array(raw) == MIMEWriter().write(message, date: Self.date))
            let parsed = try await SMTPTestServer.parse(raw)
            #expect(parsed.defects.isEmpty)
            #expect(parsed.headers["Message-ID"] == message.messageID)
            #expect(parsed.headers["List-Unsubscribe"] == "<https://h.example/u/TOKEN>")
            #expect(parsed.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click")
            #expect(parsed.headers["Subject"] == "Trail season, Réa")
            #expect(parsed.headers["From"] == "Herald Outdoor <news@herald.example>")
            #expect(parsed.contentType == "multipart/alternative")
            #expect(parsed.parts.map(\.contentType) == ["text/plain", "text/html"])
            #expect(parsed.parts.map(\.charset) == ["utf-8", "utf-8"])
            #expect(parsed.parts.first?.content.replacingOccurrences(of: "\r\n", with: "\n") == message.text)
            #expect(parsed.parts.last?.content.contains("display:none") == true)
            #expect(parsed.parts.last?.content.contains("href=\"https://h.example/r/spring?t=abc\"") == true)
            #expect(parsed.longestLine <= 998 && parsed.bareLineFeeds == 0)
        }
    }

    @Test func upgradesWithSTARTTLSAndAuthenticatesWithPLAIN() async throws {
        try await SMTPTestServer.with(SMTPTestServer.Options(startTLS: true, requireTLS: true, auth: true)) { server in
            _ = try await Self.send(Self.configuration(server, scheme: .startTLS, credentials: true), [Self.message()])
            let received = try server.received()
            #expect(received.map(\.tls) == [true])
            #expect(received.map(\.authMechanism) == ["PLAIN"])
            #expect(received.map(\.authLogin) == [server.username])
        }
    }

    @Test func authenticatesWithLOGINWhenThatIsAllTheServerOffers() async throws {
        try await SMTPTestServer.with(SMTPTestServer.Options(startTLS: false, auth: true, authMechanisms: ["LOGIN"])) { server in
            _ = try await Self.send(Self.configuration(server, credentials: true), [Self.message()])
            #expect(try server.received().map(\.authMechanism) == ["LOGIN"])
        }
    }

    @Test func refusedCredentialsAndAMissingSTARTTLSAreAuthFailures() async throws {
        try await SMTPTestServer.with(SMTPTestServer.Options(startTLS: false, auth: true)) { server in
            var configuration = Self.configuration(server, credentials: true)
            configuration.server.password = "wrong"
            await #expect(
                throws: ConnectorError(.auth, "127.0.0.1:\(server.port) answered auth with 535 5.7.8 Authentication credentials invalid", status: 535)
            ) {
                _ = try await Self.send(configuration, [Self.message()])
            }
            var starttls = Self.configuration(server, scheme: .startTLS, credentials: true)
            starttls.tls = .makeClientConfiguration()  // this server has no certificate to trust
            do {
                _ = try await Self.send(starttls, [Self.message()])
                Issue.record("sent without the STARTTLS the URL requires")
            } catch let error as ConnectorError {
                #expect(error.kind == .auth)
                #expect(error.message.contains("STARTTLS is required"))
            }
            #expect(try server.received().isEmpty)
        }
    }

    @Test func sendsFiftyMessagesOverAPoolOfFour() async throws {
        try await SMTPTestServer.with(SMTPTestServer.Options(startTLS: false)) { server in
            let pool = SMTPPool(Self.configuration(server, connections: 4), logger: Self.logger)
            let sender = SMTPMailSender(pool: pool, logger: Self.logger)
            let receipts = try await withThrowingTaskGroup(of: MailReceipt.self) { group in
                for index in 0..<50 {
                    group.addTask { try await sender.send(Self.message(to: "reader\(index)@example.org", key: "send:1:\(index)")) }
                }
                var receipts: [MailReceipt] = []
                for try await receipt in group { receipts.append(receipt) }
                return receipts
            }
            #expect(await pool.openConnections <= 4)
            await pool.shutdown()
            #expect(Set(receipts.map(\.messageID)).count == 50)
            let received = try server.received()
            #expect(received.count == 50)
            #expect(Set(received.flatMap(\.rcptTos)) == Set((0..<50).map { "reader\($0)@example.org" }))
        }
    }

    @Test func bouncesAndTemporaryFailuresAreClassifiedAndTheConnectionGoesOn() async throws {
        try await SMTPTestServer.with(SMTPTestServer.Options(startTLS: false)) { server in
            let pool = SMTPPool(Self.configuration(server, connections: 1), logger: Self.logger)
            let sender = SMTPMailSender(pool: pool, logger: Self.logger)
            do {
                _ = try await sender.send(Self.message(to: "bounce-1@example.org"))
                Issue.record("a 550 was taken as accepted")
            } catch let error as ConnectorError {
                #expect(error.kind == .rejectedContent)
                #expect(error.status == 550)
                #expect(error.message.contains("5.1.1"))
            }
            do {
                _ = try await sender.send(Self.message(to: "tempfail-1@example.org"))
                Issue.record("a 451 was taken as accepted")
            } catch let error as ConnectorError {
                #expect(error.kind == .transient)
                #expect(error.status == 451)
            }
            do {
                _ = try await sender.send(Self.message(to: "rejectdata@example.org"))
                Issue.record("a 554 after the data was taken as accepted")
            } catch let error as ConnectorError {
                #expect(error.kind == .auth)  // 5.7.1 refuses the message, not the address: no bounce
                #expect(error.status == 554)
            }
            // The same connection (RSET after each refusal) still delivers.
            _ = try await sender.send(Self.message(to: "fine@example.org"))
            #expect(await pool.openConnections == 1)
            await pool.shutdown()
            #expect(try server.received().flatMap(\.rcptTos) == ["fine@example.org"])
        }
    }

    @Test func noAnswerAfterTheFinalDotIsAnUnknownOutcome() async throws {
        try await SMTPTestServer.with(SMTPTestServer.Options(startTLS: false)) { server in
            var configuration = Self.configuration(server, connections: 1)
            configuration.dataTimeout = .seconds(1)
            let started = ContinuousClock.now
            do {
                _ = try await Self.send(configuration, [Self.message(to: "blackhole@example.org")])
                Issue.record("a message with no answer was taken as accepted")
            } catch let error as ConnectorError {
                #expect(error.kind == .unknownOutcome)
                #expect(error.message.contains("did not answer end of data in time"))
            }
            // The server sleeps an hour: the bound only catches a client that waits for it.
            #expect(ContinuousClock.now - started < .seconds(120))
        }
    }

    @Test func aServerThatNeverGreetsTimesOutAsTransient() async throws {
        // A listener that accepts connections and says nothing.
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(silent.localAddress?.port)
        let configuration = SMTPConfiguration(
            server: SMTPServerURL(security: .plain, host: "127.0.0.1", port: port),
            connections: 1,
            commandTimeout: .milliseconds(500)
        )
        let started = ContinuousClock.now
        do {
            _ = try await Self.send(configuration, [Self.message()])
            Issue.record("a silent server accepted a message")
        } catch let error as ConnectorError {
            #expect(error.kind == .transient)
            #expect(error.message == "127.0.0.1:\(port) did not answer greeting in time")
        }
        // The listener never speaks: the bound only catches a client that waits for it.
        #expect(ContinuousClock.now - started < .seconds(120))
        try await silent.close()
    }

    @Test func aClosedPortIsTransient() async throws {
        let configuration = SMTPConfiguration(server: SMTPServerURL(security: .plain, host: "127.0.0.1", port: 1), connections: 1)
        do {
            _ = try await Self.send(configuration, [Self.message()])
            Issue.record("sent to a closed port")
        } catch let error as ConnectorError {
            #expect(error.kind == .transient)
        }
    }
}
