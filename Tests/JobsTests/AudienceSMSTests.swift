import Connectors
import Crypto
import Foundation
import HeraldCore
import HeraldTestSupport
import Jobs
import Logging
import PlatformStandIns
import PostgresNIO
import Scheduling
import Testing

@testable import Storage

/// An SMS campaign with an audience, end to end over real HTTP: the fan-out makes one message per contact with a phone
/// and consent, `send_messages` texts each through the Twilio connector to the stand-in on loopback, with the tracked
/// short link and the opt-out line; the gateway's refusals of a number suppress, a 429 is retried, and an unknown
/// outcome is never sent again.
struct AudienceSMSTests {
    static let secrets = SecretBox(key: SymmetricKey(size: .bits256))
    static let logger = Logger(label: "herald.test.sms")
    static let start = Date(timeIntervalSince1970: 1_796_133_600)

    /// A workspace with a list of `contacts` (name → phone, consent) and an SMS campaign sending to it.
    func withCampaign(
        _ contacts: [(name: String, phone: String?, consent: String)],
        _ body: (Database, Campaign, [String: UUID]) async throws -> Void
    ) async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            var ids: [String: UUID] = [:]
            for contact in contacts {
                // Written as the import would.
                let rows = try await database.client.query(
                    """
                    WITH list AS (
                        INSERT INTO contact_lists (workspace_id, name) VALUES (\(workspace.uuid), 'texts')
                        ON CONFLICT (workspace_id, name) DO UPDATE SET name = EXCLUDED.name RETURNING id
                    ), c AS (
                        INSERT INTO contacts (workspace_id, email, phone, consent)
                        VALUES (\(workspace.uuid), \(contact.name + "@example.com"), \(contact.phone), \(contact.consent)) RETURNING id
                    ), m AS (
                        INSERT INTO contact_list_members (list_id, contact_id) SELECT list.id, c.id FROM list, c
                    )
                    SELECT id FROM c
                    """,
                    logger: TestDatabase.logger
                )
                for try await id in rows.decode(UUID.self) { ids[contact.name] = id }
            }
            let campaign = try await CampaignStore(database, workspace: workspace).create(
                try CampaignSpec(
                    name: "Sale",
                    channels: [.sms],
                    destination: "https://shop.example.com/sale",
                    variants: [.init(key: "A", text: "Sale today."), .init(key: "B", text: "Half price today.")],
                    audience: CampaignAudience(list: "texts")
                )
            )
            try await body(database, campaign, ids)
        }
    }

    func connector(_ standIn: TwilioStandIn, base: String, timeout: Duration = .seconds(30)) -> TwilioSMSConnector {
        TwilioSMSConnector(
            http: PlatformHTTP(timeout: timeout),
            baseURL: base,
            accountSID: standIn.configuration.accountSID,
            authToken: standIn.configuration.authToken,
            logger: Self.logger
        )
    }

    @Test func eachContactWithAPhoneAndConsentGetsOneTrackedTextAndRefusedNumbersAreSuppressed() async throws {
        let contacts: [(name: String, phone: String?, consent: String)] = [
            ("ann", "+15550000001", "subscribed"), ("bob", "+15550000002", "subscribed"), ("cy", "+447700900003", "subscribed"),
            ("invalid", "+15550000666", "subscribed"), ("stopped", "+15550000009", "subscribed"), ("mailonly", nil, "subscribed"),
            ("optedout", "+15550000005", "unsubscribed"),
        ]
        try await withCampaign(contacts) { database, campaign, ids in
            let standIn = TwilioStandIn(.init(unsubscribed: ["+15550000009"], invalidNumbers: ["+15550000666"]))
            // The gateway's first answer is a 429: that message is retried, not lost and not sent twice.
            standIn.faults.inject(TwilioStandIn.tooManyRequests, into: "messages")
            try await StandInServer.run(standIn.router()) { base in
                let clock = ManualClock(now: Self.start)
                let sms = AudienceSMS(sender: connector(standIn, base: base), from: "+15017122661", concurrency: 1)
                let runner = AudienceJobRunner(database: database, clock: clock, sms: sms)
                try await JobQueue(database).enqueue([CampaignFire.audienceJob(campaign, phase: .all, at: Self.start)])
                try await runner.runNext(.sendAudience, SendAudienceHandler())
                #expect(try await runner.count("SELECT count(*)::int FROM messages WHERE channel = 'sms'") == 5)

                let handler = SendMessagesHandler(publicURL: "https://t.example", secrets: Self.secrets)
                try await runner.runNext(.sendMessages, handler)
                #expect(try await runner.count("SELECT count(*)::int FROM messages WHERE state = 'queued' AND failure_class = 'transient'") == 1)
                // The retry is due after the backoff; the job comes back then.
                clock.advance(to: Self.start.addingTimeInterval(60))
                try await runner.runNext(.sendMessages, handler)
                try await runner.queueSend(campaign)
                try await runner.runNext(.sendMessages, handler)

                // One text to each of the three, nothing to the others.
                let received = Dictionary(standIn.messages.map { ($0.to, 1) }, uniquingKeysWith: +)
                #expect(received == ["+15550000001": 1, "+15550000002": 1, "+447700900003": 1])
                let key = RecipientToken.key(workspace: campaign.workspaceID, secrets: Self.secrets)
                for message in standIn.messages {
                    #expect(message.from == "+15017122661")
                    #expect(message.body.hasPrefix("Sale today.") || message.body.hasPrefix("Half price today."))
                    #expect(message.body.hasSuffix("Reply STOP to opt out"))
                    let link = try #require(message.body.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("https://t.example/r/") })
                    let token = String(link.dropFirst("https://t.example/r/".count))
                    #expect(RecipientToken.verify(token, key: key) != nil)
                    #expect(!message.body.contains("shop.example.com"))
                    #expect(!link.contains(String(message.to.dropFirst())))  // no phone number in the URL
                }
                #expect(try await runner.count("SELECT count(*)::int FROM messages WHERE state = 'sent' AND segments = 1") == 3)
                // 21211 (not a valid number) suppresses like a bounce; 21610 (replied STOP) unsubscribes.
                #expect(try await runner.count("SELECT count(*)::int FROM contacts WHERE id = \(ids["invalid"]!) AND consent = 'bounced'") == 1)
                #expect(try await runner.count("SELECT count(*)::int FROM contacts WHERE id = \(ids["stopped"]!) AND consent = 'unsubscribed'") == 1)
                #expect(try await runner.count("SELECT count(*)::int FROM messages WHERE state = 'bounced'") == 1)
                #expect(try await runner.count("SELECT count(*)::int FROM messages WHERE state = 'suppressed'") == 1)
                #expect(try await runner.count("SELECT count(*)::int FROM events WHERE kind = 'impression' AND message_id IS NOT NULL") == 3)
                #expect(try await runner.count("SELECT count(*)::int FROM consent_changes WHERE source = 'gateway' AND state = 'unsubscribed'") == 1)
            }
        }
    }

    @Test func aTextWhoseOutcomeIsUnknownIsNeverSentAgain() async throws {
        try await withCampaign([("ann", "+15550000001", "subscribed")]) { database, campaign, _ in
            let standIn = TwilioStandIn()
            // Twilio stores the message but the answer never comes back in time.
            standIn.faults.inject(.storeThenStall(seconds: 3), into: "messages")
            try await StandInServer.run(standIn.router()) { base in
                let clock = ManualClock(now: Self.start)
                let sms = AudienceSMS(sender: connector(standIn, base: base, timeout: .seconds(1)), from: "+15017122661")
                let runner = AudienceJobRunner(database: database, clock: clock, sms: sms)
                try await JobQueue(database).enqueue([CampaignFire.audienceJob(campaign, phase: .all, at: Self.start)])
                try await runner.runNext(.sendAudience, SendAudienceHandler())
                let handler = SendMessagesHandler(publicURL: "https://t.example", secrets: Self.secrets)
                try await runner.runNext(.sendMessages, handler)
                clock.advance(to: Self.start.addingTimeInterval(3_600))
                try await runner.queueSend(campaign)
                try await runner.runNext(.sendMessages, handler)
                #expect(standIn.messages.count == 1)
                #expect(
                    try await runner.count("SELECT count(*)::int FROM messages WHERE state = 'failed' AND failure_class = 'unknown_outcome'") == 1
                )
            }
        }
    }

    @Test func withoutAGatewayTheJobFailsNamingHeraldSMSURL() async throws {
        try await withCampaign([("ann", "+15550000001", "subscribed")]) { database, campaign, _ in
            let runner = AudienceJobRunner(database: database, clock: ManualClock(now: Self.start))
            try await runner.queueSend(campaign)
            let error = await #expect(throws: PermanentJobError.self) {
                try await runner.runNext(.sendMessages, SendMessagesHandler(secrets: Self.secrets))
            }
            #expect(error?.message.contains("HERALD_SMS_URL") == true)
        }
    }
}
