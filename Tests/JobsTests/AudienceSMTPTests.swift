import Channels
import Connectors
import Foundation
import HeraldCore
import HeraldTestSupport
import Jobs
import PostgresNIO
import Testing

@testable import Storage

/// The audience send path end to end through Herald's SMTP client into a real SMTP server (aiosmtpd on loopback):
/// every contact receives one well-formed multipart message with its unsubscribe headers and a Message-ID derived
/// from its idempotency key, and a 5xx reply bounces and suppresses the contact.
extension AudienceSendTests {
    /// One more subscribed contact on the campaign's workspace's list (a special address the test server answers in its
    /// own way).
    static func addToList(_ email: String, of campaign: Campaign, in database: Database) async throws {
        try await database.client.query(
            """
            WITH made AS (
                INSERT INTO contacts (workspace_id, email) VALUES (\(campaign.workspaceID.uuid), \(email)) RETURNING id
            )
            INSERT INTO contact_list_members (list_id, contact_id)
            SELECT l.id, made.id FROM contact_lists l, made WHERE l.workspace_id = \(campaign.workspaceID.uuid)
            """,
            logger: database.logger
        )
    }

    /// Two plain connections to `server`, with command and data timeouts long enough for a loaded machine.
    static func pool(_ server: SMTPTestServer) -> SMTPPool {
        let configuration = SMTPConfiguration(
            server: SMTPServerURL(security: .plain, host: "127.0.0.1", port: server.port),
            connections: 2,
            commandTimeout: .seconds(20),
            dataTimeout: .seconds(20)
        )
        return SMTPPool(configuration, logger: TestDatabase.logger)
    }

    @Test func everyContactReceivesOneMessageAtARealSMTPServerAndA550Bounces() async throws {
        try await withCampaign(contacts: 12, testShare: nil) { database, campaign in
            try await Self.addToList("bounce-me@example.com", of: campaign, in: database)
            try await SMTPTestServer.with(.init(startTLS: false)) { server in
                let pool = Self.pool(server)
                let mail = AudienceMail(sender: SMTPMailSender(pool: pool, logger: TestDatabase.logger), from: "news@example.com", concurrency: 4)
                do {
                    _ = try await CampaignFire(database: database, publicURL: "https://t.example", logger: TestDatabase.logger)
                        .fire(campaign, at: Date(), now: Date())
                    try await runNext(.sendAudience, SendAudienceHandler(), database, mail: mail)
                    try await runNext(.sendMessages, SendMessagesHandler(publicURL: "https://t.example", secrets: Self.secrets), database, mail: mail)
                } catch {
                    await pool.shutdown()
                    throw error
                }
                await pool.shutdown()

                let received = try server.received()
                #expect(received.count == 12)
                let recipients = received.flatMap(\.rcptTos)
                #expect(Set(recipients).count == 12 && !recipients.contains("bounce-me@example.com"))
                for message in received {
                    let parsed = try await SMTPTestServer.parse(try message.raw())
                    #expect(parsed.defects.isEmpty && parsed.bareLineFeeds == 0 && parsed.longestLine <= 998)
                    #expect(parsed.contentType == "multipart/alternative")
                    #expect(parsed.parts.map(\.contentType) == ["text/plain", "text/html"])
                    let unsubscribe = try #require(parsed.headers["List-Unsubscribe"])
                    #expect(unsubscribe.hasPrefix("<https://t.example/u/"))
                    #expect(parsed.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click")
                    let token = String(unsubscribe.dropFirst("<https://t.example/u/".count).dropLast())
                    #expect(parsed.parts[0].content.contains("https://t.example/r/\(token)"))
                    #expect(parsed.parts[1].content.contains("https://t.example/p/\(token).gif"))
                    let key = RecipientToken.key(workspace: campaign.workspaceID, secrets: Self.secrets)
                    let id = try #require(RecipientToken.verify(token, key: key))
                    #expect(
                        parsed.headers["Message-ID"]
                            == MessageID.make(idempotencyKey: "msg-\(id.uuidString.lowercased())", sender: "news@example.com")
                    )
                }
                #expect(try await count(database, "SELECT count(*)::int FROM messages WHERE state = 'sent'") == 12)
                #expect(try await count(database, "SELECT count(*)::int FROM messages WHERE state = 'bounced'") == 1)
                #expect(
                    try await count(database, "SELECT count(*)::int FROM contacts WHERE email = 'bounce-me@example.com' AND consent = 'bounced'") == 1
                )
                #expect(try await count(database, "SELECT count(*)::int FROM events WHERE kind = 'bounce'") == 1)
            }
        }
    }

    /// The chunked send through the SMTP sender's batch path, pipelined over two connections, with a server that hangs
    /// up after one message's end of DATA: every other contact receives the campaign exactly once (the messages after
    /// the hang-up go again on a fresh connection), the one in flight is given up as unknown, and a second run sends
    /// nothing more. Counted at the server.
    @Test func chunksOverPipelinedConnectionsSendEachContactOnceEvenWhenTheServerHangsUp() async throws {
        try await withCampaign(contacts: 20, testShare: nil) { database, campaign in
            try await Self.addToList("hangup-me@example.com", of: campaign, in: database)
            try await SMTPTestServer.with(.init(startTLS: false, pipelining: true)) { server in
                let pool = Self.pool(server)
                // Chunks of 8 (concurrency 2 × 4), so the 21 messages take three chunks.
                let mail = AudienceMail(sender: SMTPMailSender(pool: pool, logger: TestDatabase.logger), from: "news@example.com", concurrency: 2)
                let handler = SendMessagesHandler(publicURL: "https://t.example", secrets: Self.secrets)
                do {
                    _ = try await CampaignFire(database: database, publicURL: "https://t.example", logger: TestDatabase.logger)
                        .fire(campaign, at: Date(), now: Date())
                    try await runNext(.sendAudience, SendAudienceHandler(), database, mail: mail)
                    try await runNext(.sendMessages, handler, database, mail: mail)
                    try await JobQueue(database).enqueue([
                        JobRequest(payload: SendMessagesPayload(campaign: campaign.id, workspace: campaign.workspaceID), runAt: Date())
                    ])
                    try await runNext(.sendMessages, handler, database, mail: mail)
                } catch {
                    await pool.shutdown()
                    throw error
                }
                await pool.shutdown()

                let recipients = try server.received().flatMap(\.rcptTos)
                #expect(recipients.count == 20 && Set(recipients).count == 20, "\(recipients.sorted())")
                #expect(!recipients.contains("hangup-me@example.com"))
                #expect(try await count(database, "SELECT count(*)::int FROM messages WHERE state = 'sent'") == 20)
                #expect(
                    try await count(database, "SELECT count(*)::int FROM messages WHERE state = 'failed' AND failure_class = 'unknown_outcome'") == 1
                )
            }
        }
    }
}
