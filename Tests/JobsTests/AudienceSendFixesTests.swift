import Channels
import Connectors
import Crypto
import Foundation
import HeraldCore
import HeraldTestSupport
import Jobs
import PostgresNIO
import Scheduling
import Synchronization
import Testing

@testable import Storage

/// The send path's review fixes, each with the test that would have caught it: a paused send waits instead of
/// ending, a send renews its job's lease, a stop before the transport is a retry rather than an unknown outcome, and a
/// test that sent nothing still ends at its deadline.
struct AudienceSendFixesTests {
    static let secrets = SecretBox(key: SymmetricKey(size: .bits256))
    static let start = Date(timeIntervalSince1970: 1_796_133_600)

    /// A workspace with a list of `contacts` contacts (`c<i>@example.com`, with `consent`) and an email campaign to it.
    func withCampaign(
        contacts: Int,
        consent: String = "subscribed",
        audience: CampaignAudience = CampaignAudience(list: "newsletter"),
        _ body: (Database, Campaign) async throws -> Void
    ) async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            try await database.client.query(
                """
                WITH list AS (
                    INSERT INTO contact_lists (workspace_id, name) VALUES (\(workspace.uuid), 'newsletter') RETURNING id
                ), made AS (
                    INSERT INTO contacts (workspace_id, email, consent) SELECT \(workspace.uuid), 'c' || i || '@example.com', \(consent)
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
                    variants: [
                        .init(key: "A", text: "One.", email: .init(subject: "One", body: "One.")),
                        .init(key: "B", text: "Two.", email: .init(subject: "Two", body: "Two.")),
                    ],
                    audience: audience
                )
            )
            try await body(database, campaign)
        }
    }

    @Test func aPausedSendWaitsAndGoesOnWhenTheCampaignIsResumed() async throws {
        try await withCampaign(contacts: 4) { database, campaign in
            let clock = ManualClock(now: Self.start)
            let sender = RecordingMailSender()
            let runner = AudienceJobRunner(database: database, clock: clock, mail: AudienceMail(sender: sender, from: "news@example.com"))
            try await JobQueue(database).enqueue([CampaignFire.audienceJob(campaign, phase: .all, at: Self.start)])
            try await runner.runNext(.sendAudience, SendAudienceHandler())
            let store = CampaignStore(database, workspace: campaign.workspaceID)
            _ = try await store.apply(.pause, to: campaign.id, now: Self.start, nextFire: { _ in nil })

            // Paused: the send is postponed, not ended; nothing goes out.
            let handler = SendMessagesHandler(publicURL: "https://t.example", secrets: Self.secrets)
            let postponed = try #require(try await runner.runNext(.sendMessages, handler))
            #expect(postponed.until == Self.start.addingTimeInterval(SendMessagesHandler.pausedRecheck))
            #expect(sender.messages.isEmpty)
            #expect(try await runner.count("SELECT count(*)::int FROM jobs WHERE kind = 'send_messages' AND state = 'pending'") == 1)

            // Resumed: the waiting job sends every message, once.
            _ = try await store.apply(.resume, to: campaign.id, now: Self.start, nextFire: { _ in nil })
            clock.advance(to: postponed.until)
            try await runner.runNext(.sendMessages, handler)
            #expect(sender.messages.count == 4 && sender.perRecipient.values.allSatisfy { $0 == 1 })
        }
    }

    @Test func markingAMessageSendingRenewsTheJobsLease() async throws {
        try await withCampaign(contacts: 1) { database, campaign in
            let clock = ManualClock(now: Self.start)
            let probe = LeaseProbeSender(database: database)
            let runner = AudienceJobRunner(database: database, clock: clock, mail: AudienceMail(sender: probe, from: "news@example.com"))
            try await JobQueue(database).enqueue([CampaignFire.audienceJob(campaign, phase: .all, at: Self.start)])
            try await runner.runNext(.sendAudience, SendAudienceHandler())
            // The job is claimed for 5 seconds; the send renews it for the message's lease (300 s) as it goes out.
            let handler = SendMessagesHandler(publicURL: "https://t.example", secrets: Self.secrets, lease: 300)
            try await runner.runNext(.sendMessages, handler, lease: 5)
            let seen = try #require(probe.seen.withLock { $0 })
            #expect(seen.job == Self.start.addingTimeInterval(300))
            #expect(seen.message == Self.start.addingTimeInterval(300))
        }
    }

    @Test func aStopBeforeTheTransportIsCalledIsRetriedNotGivenUp() async throws {
        try await withCampaign(contacts: 1) { database, campaign in
            let clock = ManualClock(now: Self.start)
            let sender = RecordingMailSender()
            let mail = AudienceMail(sender: sender, from: "news@example.com")
            let runner = AudienceJobRunner(database: database, clock: clock, mail: mail)
            try await JobQueue(database).enqueue([CampaignFire.audienceJob(campaign, phase: .all, at: Self.start)])
            try await runner.runNext(.sendAudience, SendAudienceHandler())
            let queue = JobQueue(database)
            let job = try #require(
                try await queue.claim(queues: ["default"], limit: 10, worker: "w1", lease: 60, now: Self.start).first { $0.kind == "send_messages" }
            )
            let handler = SendMessagesHandler(publicURL: "https://t.example", secrets: Self.secrets)
            let context = JobContext(database: database, clock: clock, logger: TestDatabase.logger, worker: "w1", mail: mail)
            // The job's row is held, so the lease renewal after marking the message sending waits: the worker is
            // stopped right there, between marking and the transport.
            let (locked, lockedNow) = AsyncStream<Void>.makeStream()
            let (release, releaseNow) = AsyncStream<Void>.makeStream()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await database.transaction { connection in
                        try await connection.query("SELECT 1 FROM jobs WHERE id = \(job.id) FOR UPDATE", logger: TestDatabase.logger)
                        lockedNow.yield()
                        for await _ in release { break }
                    }
                }
                for await _ in locked { break }
                let sending = Task { try await handler.run(job, context: context) }
                while try await runner.count("SELECT count(*)::int FROM messages WHERE state <> 'queued'") == 0 {
                    try await Task.sleep(for: .milliseconds(10))
                }
                sending.cancel()
                releaseNow.yield()
                try await group.waitForAll()
                await #expect(throws: CancellationError.self) { try await sending.value }
            }
            #expect(sender.messages.isEmpty)
            #expect(try await runner.count("SELECT count(*)::int FROM messages WHERE state = 'queued' AND failure_class = 'transient'") == 1)
            // The next run sends it, once.
            try await runner.queueSend(campaign)
            try await runner.runNext(.sendMessages, handler)
            #expect(sender.messages.count == 1)
            #expect(try await runner.count("SELECT count(*)::int FROM messages WHERE state = 'sent'") == 1)
        }
    }

    @Test func aTestThatSentNothingEndsAtItsDeadlineWithTheFirstVariant() async throws {
        let audience = CampaignAudience(list: "newsletter", testShare: 0.5, decideWithin: "1h", decideEvery: "6h")
        // Every contact unsubscribed: the test makes no message at all.
        try await withCampaign(contacts: 3, consent: "unsubscribed", audience: audience) { database, campaign in
            let clock = ManualClock(now: Self.start)
            let runner = AudienceJobRunner(database: database, clock: clock, mail: AudienceMail(sender: RecordingMailSender(), from: "n@example.com"))
            try await JobQueue(database).enqueue([CampaignFire.audienceJob(campaign, phase: .test, at: Self.start)])
            try await runner.runNext(.sendAudience, SendAudienceHandler())
            #expect(try await runner.count("SELECT count(*)::int FROM messages") == 0)

            // The first look is at the deadline, an hour later: it chooses rather than looking again for ever.
            clock.advance(to: Self.start.addingTimeInterval(3_600))
            try await runner.runNext(.decideWinner, DecideWinnerHandler())
            let phase = try #require(try await CampaignStore(database, workspace: campaign.workspaceID).testPhase(of: campaign.id))
            let winner = try #require(phase.winner)
            #expect(winner.variantKey == "A" && winner.chosenBy == WinnerChoice.byDeadline)
            #expect(winner.reason.contains("deadline passed"), "\(winner.reason)")
            #expect(try await runner.count("SELECT count(*)::int FROM jobs WHERE kind = 'send_audience' AND payload->>'phase' = 'rest'") == 1)
        }
    }

    /// Messages a stopped worker left `sending` reach the end of their lease while the job sends the others: the same
    /// run gives them up as `unknown_outcome`, rather than ending with work already due and no job queued to do it (the
    /// kill -9 test hung so).
    @Test func sendsLeftByAStoppedWorkerThatExpireDuringTheSendAreSettledByTheSameRun() async throws {
        try await withCampaign(contacts: 6) { database, campaign in
            let clock = ManualClock(now: Self.start)
            let runner = AudienceJobRunner(database: database, clock: clock, mail: AudienceMail(sender: RecordingMailSender(), from: "n@example.com"))
            try await JobQueue(database).enqueue([CampaignFire.audienceJob(campaign, phase: .all, at: Self.start)])
            try await runner.runNext(.sendAudience, SendAudienceHandler())
            // A worker that stopped was sending two messages, whose lease ends in 100 s.
            let store = MessageStore(database)
            let held = try await store.claim(campaign: campaign.id, worker: "stopped", limit: 2, lease: 100, now: Self.start)
            for message in held { #expect(try await store.markSending(message.id, worker: "stopped")) }
            #expect(held.count == 2)

            // Each message takes the server a minute, so the stopped worker's lease ends while the others are sent.
            let sender = RecordingMailSender(onSend: { clock.advance(to: clock.now().addingTimeInterval(60)) })
            let sending = AudienceJobRunner(database: database, clock: clock, mail: AudienceMail(sender: sender, from: "n@example.com"))
            try await sending.runNext(.sendMessages, SendMessagesHandler(publicURL: "https://t.example", secrets: Self.secrets))
            #expect(sender.messages.count == 4 && sender.perRecipient.values.allSatisfy { $0 == 1 }, "\(sender.perRecipient)")
            #expect(try await runner.count("SELECT count(*)::int FROM messages WHERE state = 'failed' AND failure_class = 'unknown_outcome'") == 2)
            #expect(try await runner.count("SELECT count(*)::int FROM messages WHERE state IN ('queued', 'sending')") == 0)
            #expect(try await runner.count("SELECT count(*)::int FROM messages WHERE state = 'sent'") == 4)
        }
    }
}

/// A `MailSender` that, as each message goes out, reads the running `send_messages` job's lease and the message's
/// claim, then accepts it.
final class LeaseProbeSender: MailSender {
    let database: Database
    let seen = Mutex<(job: Date, message: Date)?>(nil)

    init(database: Database) { self.database = database }

    func send(_ message: MailMessage) async throws -> MailReceipt {
        let rows = try await database.client.query(
            """
            SELECT (SELECT locked_until FROM jobs WHERE kind = 'send_messages' AND state = 'running'),
                   (SELECT claimed_until FROM messages WHERE state = 'sending')
            """,
            logger: database.logger
        )
        for try await (job, claim) in rows.decode((Date, Date).self) { seen.withLock { $0 = (job, claim) } }
        return MailReceipt(messageID: message.messageID, reply: "250 2.0.0 Ok")
    }
}
