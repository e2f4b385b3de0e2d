import Channels
import Connectors
import Foundation
import HeraldTestKit
import Logging
import Testing

/// Batches over one connection (``SMTPConnection/send(_:)``) and through ``SMTPMailSender``'s batch path, against real
/// servers: Postfix's smtp-sink (PIPELINING) and aiosmtpd (with and without PIPELINING, refusing chosen recipients and
/// hanging up after the end of DATA). Every count is taken at the server.
@Suite(.serialized) struct SMTPBatchTests {
    static let logger = SMTPMailSenderTests.logger

    static func messages(_ recipients: [String], key: String) -> [MailMessage] {
        recipients.enumerated().map { index, to in SMTPMailSenderTests.message(to: to, key: "\(key):\(index)") }
    }

    static func transactions(_ messages: [MailMessage]) -> [SMTPTransaction] {
        messages.map { SMTPTransaction(from: $0.from, to: $0.to, message: MIMEWriter().write($0, date: SMTPMailSenderTests.date)) }
    }

    static func sinkConfiguration(_ sink: SMTPSink, connections: Int, pipelining: Bool = true) -> SMTPConfiguration {
        SMTPConfiguration(
            server: SMTPServerURL(security: .plain, host: "127.0.0.1", port: sink.port),
            connections: connections,
            commandTimeout: .seconds(20),
            dataTimeout: .seconds(20),
            pipelining: pipelining
        )
    }

    @Test(arguments: [true, false]) func aBatchIntoSmtpSinkDeliversEveryMessageOnceOverReusedConnections(pipelining: Bool) async throws {
        try await SMTPSink.with { sink in
            let pool = SMTPPool(Self.sinkConfiguration(sink, connections: 2, pipelining: pipelining), logger: Self.logger)
            let sender = SMTPMailSender(pool: pool, now: { SMTPMailSenderTests.date }, logger: Self.logger)
            let first = Self.messages((0..<30).map { "reader\($0)@example.org" }, key: "batch:1")
            let second = Self.messages((30..<40).map { "reader\($0)@example.org" }, key: "batch:2")
            let results = await sender.send(first, concurrency: 4) + (await sender.send(second, concurrency: 4))
            let open = await pool.openConnections
            await pool.shutdown()
            #expect(open <= 2)
            #expect(results.map { (try? $0.get())?.messageID } == (first + second).map(\.messageID))
            let received = try sink.received()
            #expect(received.count == 40)
            for message in first + second {
                let copies = received.filter { $0.contains("Message-ID: \(message.messageID)\n") }
                #expect(copies.count == 1, "\(message.messageID)")
                #expect(copies.first?.contains("X-Rcpt-Args: <\(message.to)>") == true)
                #expect(copies.first?.contains("Hello R=C3=A9a,\n=2E\n") == true)
            }
        }
    }

    /// Two batches on one connection: the second goes on the connection the first used.
    @Test func oneConnectionCarriesBatchAfterBatch() async throws {
        try await SMTPSink.with { sink in
            let connection = try await SMTPConnection.connect(Self.sinkConfiguration(sink, connections: 1), logger: Self.logger)
            #expect(connection.capabilities.pipelining)
            let messages = Self.messages((0..<12).map { "reader\($0)@example.org" }, key: "lane")
            let first = await connection.send(Self.transactions(Array(messages[..<6])))
            let second = await connection.send(Self.transactions(Array(messages[6...])))
            #expect(connection.isActive)
            await connection.quit()
            #expect((first + second).allSatisfy { (try? $0.get())?.isCompletion == true })
            #expect(try sink.received().count == 12)
        }
    }

    /// A refused recipient, a temporary failure and refused content each fail only their message; the others are
    /// accepted over the same connection, pipelined or not.
    @Test(arguments: [true, false]) func aRefusalFailsOnlyItsMessageAndTheConnectionGoesOn(pipelining: Bool) async throws {
        try await SMTPTestServer.with(SMTPTestServer.Options(startTLS: false, pipelining: pipelining)) { server in
            let pool = SMTPPool(SMTPMailSenderTests.configuration(server, connections: 1), logger: Self.logger)
            let offered = try await pool.withConnection { $0.capabilities.pipelining }
            #expect(offered == pipelining)
            let sender = SMTPMailSender(pool: pool, now: { SMTPMailSenderTests.date }, logger: Self.logger)
            let recipients = [
                "fine0@example.org", "bounce-1@example.org", "fine2@example.org", "tempfail-3@example.org", "rejectdata-4@example.org",
                "fine5@example.org",
            ]
            let results = await sender.send(Self.messages(recipients, key: "refusal"), concurrency: 1)
            let open = await pool.openConnections
            await pool.shutdown()
            #expect(open == 1)
            #expect(results.count == 6)
            #expect(results.map(Self.kind) == ["sent", "rejected_content", "sent", "transient", "auth", "sent"])
            if case .failure(.failed(let bounce)) = results[1] { #expect(bounce.status == 550) }
            #expect(try server.received().flatMap(\.rcptTos) == ["fine0@example.org", "fine2@example.org", "fine5@example.org"])
        }
    }

    /// The server hangs up after the end of DATA of the second message: that one's outcome is unknown (its `.` was
    /// sent), the messages after it were not accepted (transient, nothing of theirs taken), and the sender carries those
    /// on a fresh connection.
    @Test(arguments: [true, false]) func aServerThatHangsUpMidBatchLeavesOnlyTheMessageInFlightUnknown(pipelining: Bool) async throws {
        try await SMTPTestServer.with(SMTPTestServer.Options(startTLS: false, pipelining: pipelining)) { server in
            let configuration = SMTPMailSenderTests.configuration(server, connections: 1)
            let recipients = ["fine0@example.org", "hangup-1@example.org", "fine2@example.org", "fine3@example.org"]
            let messages = Self.messages(recipients, key: "hangup")
            let connection = try await SMTPConnection.connect(configuration, logger: Self.logger)
            let results = await connection.send(Self.transactions(messages))
            await connection.close()
            #expect(
                results.map { result in (try? result.get()).map { _ in "sent" } ?? Self.kind(of: result) } == [
                    "sent", "unknown_outcome", "transient", "transient",
                ]
            )
            #expect(try server.received().flatMap(\.rcptTos) == ["fine0@example.org"])

            // Through the sender: the two that were not accepted go again on a fresh connection, once each.
            let pool = SMTPPool(configuration, logger: Self.logger)
            let sender = SMTPMailSender(pool: pool, now: { SMTPMailSenderTests.date }, logger: Self.logger)
            let again = await sender.send(Self.messages(recipients, key: "hangup-again"), concurrency: 1)
            await pool.shutdown()
            #expect(again.map(Self.kind) == ["sent", "unknown_outcome", "sent", "sent"])
            #expect(
                try server.received().flatMap(\.rcptTos)
                    == ["fine0@example.org", "fine0@example.org", "fine2@example.org", "fine3@example.org"]
            )
        }
    }

    static func kind(_ result: Result<MailReceipt, MailSendFailure>) -> String {
        switch result {
        case .success: "sent"
        case .failure(.failed(let error)): error.kind.rawValue
        case .failure(.notSent): "not sent"
        case .failure(.interrupted): "interrupted"
        }
    }

    static func kind(of result: Result<SMTPReply, SMTPError>) -> String {
        switch result {
        case .success: "sent"
        case .failure(let error): SMTPOutcome.kind(of: error).rawValue
        }
    }
}
