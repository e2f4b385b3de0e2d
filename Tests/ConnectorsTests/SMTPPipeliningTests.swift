import Channels
import Connectors
import Foundation
import HeraldTestKit
import Logging
import Testing

/// Herald's SMTP client against a server that offers PIPELINING (Postfix's smtp-sink, see ``SMTPSink``): MAIL FROM,
/// RCPT TO and DATA go in one write, the content when all three are accepted, and every message arrives once, whole.
@Suite struct SMTPPipeliningTests {
    @Test func pipelinesEachTransactionAndDeliversEveryMessageOnce() async throws {
        try await SMTPSink.with { sink in
            let configuration = SMTPConfiguration(
                server: SMTPServerURL(security: .plain, host: "127.0.0.1", port: sink.port),
                connections: 2,
                commandTimeout: .seconds(20),
                dataTimeout: .seconds(20)
            )
            let pool = SMTPPool(configuration, logger: SMTPMailSenderTests.logger)
            let pipelining = try await pool.withConnection { $0.capabilities.pipelining }
            #expect(pipelining)
            let sender = SMTPMailSender(pool: pool, now: { SMTPMailSenderTests.date }, logger: SMTPMailSenderTests.logger)
            let messages = (0..<40).map { SMTPMailSenderTests.message(to: "reader\($0)@example.org", key: "send:2:\($0)") }
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for message in messages { group.addTask { _ = try await sender.send(message) } }
                    try await group.waitForAll()
                }
            } catch {
                await pool.shutdown()
                throw error
            }
            await pool.shutdown()
            let received = try sink.received()
            #expect(received.count == 40)
            for message in messages {
                let copies = received.filter { $0.contains("Message-ID: \(message.messageID)\n") }
                #expect(copies.count == 1, "\(message.messageID)")
                #expect(copies.first?.contains("X-Rcpt-Args: <\(message.to)>") == true)
                // The body line that is a lone dot is written `=2E`: it arrives as written, whatever the server does with dots.
                #expect(copies.first?.contains("Hello R=C3=A9a,\n=2E\n") == true, "\(copies.first ?? "")")
            }
        }
    }
}
