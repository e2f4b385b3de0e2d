import Channels
import Connectors
import Crypto
import Foundation
import HeraldCore
import HeraldTestSupport
import Jobs
import PostgresNIO
import Scheduling
import Testing

@testable import Storage

/// An email campaign with an audience: a fire enqueues `send_audience`, which makes one message per contact in the
/// phase and enqueues `send_messages`, which renders each with its recipient token's links and headers and sends it
/// through the worker's MailSender, at most once per contact.
struct AudienceSendTests {
    static let secrets = SecretBox(key: SymmetricKey(size: .bits256))

    func count(_ database: Database, _ sql: PostgresQuery) async throws -> Int {
        for try await value in try await database.client.query(sql, logger: database.logger).decode(Int.self) { return value }
        return 0
    }

    /// A workspace with a list of `contacts` subscribed contacts (`c<i>@example.com`) and a campaign sending to it.
    func withCampaign(contacts: Int, testShare: Double?, _ body: (Database, Campaign) async throws -> Void) async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            try await database.client.query(
                """
                WITH list AS (
                    INSERT INTO contact_lists (workspace_id, name) VALUES (\(workspace.uuid), 'newsletter') RETURNING id
                ), made AS (
                    INSERT INTO contacts (workspace_id, email) SELECT \(workspace.uuid), 'c' || i || '@example.com'
                    FROM generate_series(1, \(contacts)) AS i RETURNING id
                )
                INSERT INTO contact_list_members (list_id, contact_id) SELECT list.id, made.id FROM list, made
                """,
                logger: database.logger
            )
            let campaign = try await CampaignStore(database, workspace: workspace).create(
                try CampaignSpec(
                    name: "News",
                    channels: [.email],
                    destination: "https://shop.example.com/news",
                    variants: [
                        .init(key: "A", text: "One. https://shop.example.com/news", email: .init(subject: "One", preheader: "First", body: "One.")),
                        .init(key: "B", text: "Two.", email: .init(subject: "Two", body: "Two.")),
                    ],
                    audience: CampaignAudience(list: "newsletter", testShare: testShare)
                )
            )
            try await body(database, campaign)
        }
    }

    /// Claims the next due job of `kind` and runs it with `handler`.
    func runNext(_ kind: JobKind, _ handler: some JobHandler, _ database: Database, mail: AudienceMail?, now: Date = Date()) async throws {
        let queue = JobQueue(database)
        let jobs = try await queue.claim(queues: ["default"], limit: 10, worker: "w1", lease: 60, now: now)
        let job = try #require(jobs.first { $0.kind == kind.rawValue }, "no \(kind.rawValue) job among \(jobs.map(\.kind))")
        let others = jobs.filter { $0.id != job.id }
        if !others.isEmpty { try await queue.release(others, worker: "w1", now: now) }
        let context = JobContext(database: database, clock: SystemClock(), logger: TestDatabase.logger, worker: "w1", mail: mail)
        try await handler.run(job, context: context)
        try await queue.complete([job], worker: "w1", now: now)
    }

    @Test func aFireSendsToTheTestShareAndEveryContactReceivesOneTrackedMessage() async throws {
        try await withCampaign(contacts: 50, testShare: 0.4) { database, campaign in
            let publications = try await CampaignFire(database: database, publicURL: "https://t.example", logger: TestDatabase.logger)
                .fire(campaign, at: Date(), now: Date())
            #expect(publications.isEmpty)
            #expect(try await count(database, "SELECT count(*)::int FROM jobs WHERE kind = 'send_audience' AND payload->>'phase' = 'test'") == 1)

            let sender = RecordingMailSender(bouncing: ["c3@example.com"])
            let mail = AudienceMail(sender: sender, from: "news@example.com", concurrency: 4)
            try await runNext(.sendAudience, SendAudienceHandler(), database, mail: mail)
            let made = try await count(database, "SELECT count(*)::int FROM messages WHERE phase = 'test'")
            #expect(made > 5 && made < 40)
            let handler = SendMessagesHandler(publicURL: "https://t.example", secrets: Self.secrets)
            try await runNext(.sendMessages, handler, database, mail: mail)

            let bounced = try await count(database, "SELECT count(*)::int FROM messages WHERE state = 'bounced'")
            #expect(sender.messages.count == made - bounced)
            #expect(sender.perRecipient.values.allSatisfy { $0 == 1 })
            #expect(try await count(database, "SELECT count(*)::int FROM messages WHERE state = 'sent'") == made - bounced)
            #expect(
                try await count(database, "SELECT count(*)::int FROM events WHERE kind = 'impression' AND message_id IS NOT NULL") == made - bounced
            )
            if bounced == 1 {
                #expect(try await count(database, "SELECT count(*)::int FROM contacts WHERE email = 'c3@example.com' AND consent = 'bounced'") == 1)
            }

            let key = RecipientToken.key(workspace: campaign.workspaceID, secrets: Self.secrets)
            for message in sender.messages {
                let header = try #require(message.headers.first { $0.name == "List-Unsubscribe" }?.value)
                #expect(header.hasPrefix("<https://t.example/u/") && header.hasSuffix(">"))
                #expect(message.headers.contains { $0.name == "List-Unsubscribe-Post" && $0.value == "List-Unsubscribe=One-Click" })
                let token = String(header.dropFirst("<https://t.example/u/".count).dropLast())
                let id = try #require(RecipientToken.verify(token, key: key))
                #expect(message.messageID == MessageID.make(idempotencyKey: "msg-\(id.uuidString.lowercased())", sender: "news@example.com"))
                #expect(message.text.contains("https://t.example/r/\(token)"))
                #expect(message.html?.contains("https://t.example/p/\(token).gif") == true)
                #expect(!message.text.contains("shop.example.com"))  // every link is the tracked one
                // No address in any URL.
                let local = String(message.to.split(separator: "@")[0])
                #expect(!message.text.contains(local + "@") && !(message.html ?? "").contains(local + "@") && !header.contains(message.to))
                #expect(message.from == "news@example.com" && ["One", "Two"].contains(message.subject))
            }

            // Run again (a retried job): nobody receives the campaign twice. Then the rest, with the winner.
            try await JobQueue(database).enqueue([
                JobRequest(payload: SendMessagesPayload(campaign: campaign.id, workspace: campaign.workspaceID), runAt: Date())
            ])
            try await runNext(.sendMessages, handler, database, mail: mail)
            #expect(sender.messages.count == made - bounced)
            let winner = campaign.variants[1].id
            try await database.client.query(
                "UPDATE campaigns SET winner_variant_id = \(winner.uuid) WHERE id = \(campaign.id.uuid)",
                logger: database.logger
            )
            try await JobQueue(database).enqueue([CampaignFire.audienceJob(campaign, phase: .rest, at: Date())])
            try await runNext(.sendAudience, SendAudienceHandler(), database, mail: mail)
            let testSent = sender.messages.count
            try await runNext(.sendMessages, handler, database, mail: mail)
            // c3 bounced, in the test share or in the rest: everyone else received exactly one message.
            #expect(try await count(database, "SELECT count(*)::int FROM messages WHERE state = 'bounced'") == 1)
            #expect(sender.messages.count == 49)
            #expect(sender.perRecipient.count == 49 && sender.perRecipient.values.allSatisfy { $0 == 1 })
            #expect(sender.messages.dropFirst(testSent).allSatisfy { $0.subject == "Two" })
        }
    }

    @Test func aWorkerKilledMidSendNeverSendsThatMessageAgain() async throws {
        try await withCampaign(contacts: 6, testShare: nil) { database, campaign in
            try await JobQueue(database).enqueue([CampaignFire.audienceJob(campaign, phase: .all, at: Date())])
            let dying = RecordingMailSender(stopAfter: 2)
            let handler = SendMessagesHandler(publicURL: "https://t.example", secrets: Self.secrets, lease: 1)
            try await runNext(
                .sendAudience,
                SendAudienceHandler(),
                database,
                mail: AudienceMail(sender: dying, from: "news@example.com", concurrency: 1)
            )
            await #expect(throws: CancellationError.self) {
                try await runNext(.sendMessages, handler, database, mail: AudienceMail(sender: dying, from: "news@example.com", concurrency: 1))
            }
            // The second message was taken by the server but its worker died; the chunk on its way beside it
            // (mailChunksInFlight) may have handed one more over before it saw the stop. Each stays sending until its
            // lease ends.
            let died = dying.messages.count
            #expect((2...3).contains(died), "\(died) messages reached the dying worker's server")
            try await Task.sleep(for: .milliseconds(1_100))
            let healthy = RecordingMailSender()
            try await JobQueue(database).enqueue([
                JobRequest(payload: SendMessagesPayload(campaign: campaign.id, workspace: campaign.workspaceID), runAt: Date())
            ])
            try await runNext(.sendMessages, handler, database, mail: AudienceMail(sender: healthy, from: "news@example.com"))
            let everyone = dying.messages.map(\.to) + healthy.messages.map(\.to)
            #expect(Set(everyone).count == 6 && everyone.count == 6)  // each contact exactly once
            // Only the first message taken was answered; the others the server took are given up, never sent again.
            #expect(
                try await count(database, "SELECT count(*)::int FROM messages WHERE state = 'failed' AND failure_class = 'unknown_outcome'")
                    == died - 1
            )
        }
    }

    @Test func withoutAMailSenderTheJobFailsNamingHeraldSMTPURL() async throws {
        try await withCampaign(contacts: 2, testShare: nil) { database, campaign in
            try await JobQueue(database).enqueue([
                JobRequest(payload: SendMessagesPayload(campaign: campaign.id, workspace: campaign.workspaceID), runAt: Date())
            ])
            let error = await #expect(throws: PermanentJobError.self) {
                try await runNext(.sendMessages, SendMessagesHandler(secrets: Self.secrets), database, mail: nil)
            }
            #expect(error?.message.contains("HERALD_SMTP_URL") == true)
        }
    }
}
