import Channels
import Crypto
import Foundation
import HeraldCore
import HeraldTestSupport
import Jobs
import PostgresNIO
import Scheduling
import Testing

@testable import Storage

/// Send time per contact: the fan-out makes each message due at its contact's best local hour inside the campaign's
/// send window when their history says enough, else at the campaign's time; `send_messages` sends each only once due.
struct AudienceSendTimeTests {
    static let secrets = SecretBox(key: SymmetricKey(size: .bits256))
    /// Tuesday 2026-12-01 14:00:00Z: 09:00 in New York (EST).
    static let campaignTime = Date(timeIntervalSince1970: 1_796_133_600)

    @Test func aContactWithAStrongHistoryIsSentAtTheirHourAndTheOthersAtTheCampaignsTime() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let campaigns = CampaignStore(database, workspace: workspace)
            // Evening reader in New York, a contact without history, and one without a time zone.
            var contacts: [String: UUID] = [:]
            for (name, zone) in [("evening", "America/New_York"), ("new", "America/New_York"), ("nozone", nil)] as [(String, String?)] {
                let rows = try await database.client.query(
                    """
                    WITH list AS (
                        INSERT INTO contact_lists (workspace_id, name) VALUES (\(workspace.uuid), 'newsletter')
                        ON CONFLICT (workspace_id, name) DO UPDATE SET name = EXCLUDED.name RETURNING id
                    ), c AS (
                        INSERT INTO contacts (workspace_id, email, time_zone) VALUES (\(workspace.uuid), \(name + "@example.com"), \(zone)) RETURNING id
                    ), m AS (
                        INSERT INTO contact_list_members (list_id, contact_id) SELECT list.id, c.id FROM list, c
                    )
                    SELECT id FROM c
                    """,
                    logger: TestDatabase.logger
                )
                for try await id in rows.decode(UUID.self) { contacts[name] = id }
            }
            // The evening reader opened an earlier campaign's message at 19:00 their time on six evenings.
            let earlier = try await campaigns.create(
                try CampaignSpec(
                    name: "Earlier",
                    channels: [.email],
                    variants: [.init(key: "A", text: "Hi", email: EmailContent(subject: "Hi", preheader: "", body: "Hi"))],
                    dryRun: true
                )
            )
            let message = UUID()
            try await database.client.query(
                """
                INSERT INTO messages (id, workspace_id, campaign_id, variant_id, contact_id, channel, phase, send_at, idempotency_key, state)
                VALUES (\(message), \(workspace.uuid), \(earlier.id.uuid), \(earlier.variants[0].id.uuid), \(contacts["evening"]!), 'email', 'all',
                        \(Self.campaignTime.addingTimeInterval(-10 * 86_400)), 'msg-earlier', 'sent')
                """,
                logger: TestDatabase.logger
            )
            // 19:00 EST is 00:00Z the next day: the evenings of Nov 24 to 29.
            let opens = (2...7).map { day in
                EngagementEvent(
                    id: EventID(UUID()),
                    variantID: earlier.variants[0].id,
                    kind: .open,
                    occurredAt: Self.campaignTime.addingTimeInterval(TimeInterval(-day * 86_400 + 10 * 3_600)),
                    channel: "email",
                    messageID: message
                )
            }
            try await PartitionManager(database).ensure(covering: opens.map(\.occurredAt))
            try await database.transaction { connection in
                _ = try await EventStore.storeNew(opens, campaign: earlier.id, workspace: workspace, on: connection, logger: TestDatabase.logger)
            }

            let campaign = try await campaigns.create(
                try CampaignSpec(
                    name: "News",
                    channels: [.email],
                    variants: [.init(key: "A", text: "One.", email: .init(subject: "One", body: "One."))],
                    audience: CampaignAudience(list: "newsletter", sendWindow: ["start": "09:00", "end": "21:00"])
                )
            )
            let clock = ManualClock(now: Self.campaignTime)
            let sender = RecordingMailSender()
            let runner = AudienceJobRunner(database: database, clock: clock, mail: AudienceMail(sender: sender, from: "news@example.com"))
            try await JobQueue(database).enqueue([CampaignFire.audienceJob(campaign, phase: .all, at: Self.campaignTime)])
            try await runner.runNext(.sendAudience, SendAudienceHandler())

            var due: [UUID: Date] = [:]
            for try await (contact, sendAt) in try await database.client.query(
                "SELECT contact_id, send_at FROM messages WHERE campaign_id = \(campaign.id.uuid)",
                logger: TestDatabase.logger
            ).decode((UUID, Date).self) {
                due[contact] = sendAt
            }
            // 19:00 in New York that evening, inside the window; the others at the campaign's time.
            let evening = Self.campaignTime.addingTimeInterval(10 * 3_600)
            #expect(due[contacts["evening"]!] == evening)
            #expect(due[contacts["new"]!] == Self.campaignTime)
            #expect(due[contacts["nozone"]!] == Self.campaignTime)

            // At the campaign's time only the two due are sent; the job comes back at 19:00 New York time.
            let handler = SendMessagesHandler(publicURL: "https://t.example", secrets: Self.secrets)
            try await runner.runNext(.sendMessages, handler)
            #expect(Set(sender.messages.map(\.to)) == ["new@example.com", "nozone@example.com"])
            #expect(
                try await runner.count(
                    "SELECT count(*)::int FROM jobs WHERE kind = 'send_messages' AND state = 'pending' AND run_at = \(evening)"
                ) == 1
            )
            // A run before then (a retried job) sends nothing.
            clock.advance(to: evening.addingTimeInterval(-60))
            try await runner.queueSend(campaign)
            try await runner.runNext(.sendMessages, handler)
            #expect(sender.messages.count == 2)
            // At 19:00 the evening reader's message goes, once; a further run sends nothing again.
            clock.advance(to: evening)
            try await runner.runNext(.sendMessages, handler)
            try await runner.queueSend(campaign)
            try await runner.runNext(.sendMessages, handler)
            #expect(sender.messages.count == 3 && sender.perRecipient.values.allSatisfy { $0 == 1 })
            #expect(sender.messages.last?.to == "evening@example.com")
            #expect(try await runner.count("SELECT count(*)::int FROM messages WHERE campaign_id = \(campaign.id.uuid) AND state = 'sent'") == 3)
        }
    }
}
