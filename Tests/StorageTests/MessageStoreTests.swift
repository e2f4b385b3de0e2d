import Foundation
import HeraldCore
import HeraldTestSupport
import PostgresNIO
import Testing

@testable import Storage

/// Audience messages: one per campaign and contact whatever runs twice, each contact's variant as VariantAssignment
/// draws it, claimed under a lease, and never sent twice (a message left sending is failed, not resent).
struct MessageStoreTests {
    static let now = Date(timeIntervalSince1970: 1_780_000_000)

    struct Fixture {
        var database: Database
        var workspace: WorkspaceID
        var campaign: Campaign
        var list: UUID
        var store: MessageStore { MessageStore(database) }

        func count(_ query: PostgresQuery) async throws -> Int {
            for try await value in try await database.client.query(query, logger: database.logger).decode(Int.self) { return value }
            return 0
        }

        /// Fans the whole list out and claims up to `limit` of its messages for `worker` (a 60 s lease, at `now`).
        func fanOutAndClaim(worker: String = "w1", limit: Int = 100) async throws -> [MessageStore.Claimed] {
            _ = try await fanOut(.all)
            return try await store.claim(campaign: campaign.id, worker: worker, limit: limit, lease: 60, now: MessageStoreTests.now)
        }

        func fanOut(_ phase: SendPhase, winner: VariantID? = nil, pageSize: Int = 7) async throws -> MessageStore.FanOut {
            let variants = campaign.variants(for: .email)
            let shares = CampaignSplit.shares(of: variants)
            return try await store.fanOut(
                campaign: campaign.id,
                workspace: workspace,
                list: list,
                channel: .email,
                phase: phase,
                variants: variants.map { (id: $0.id, weight: shares[$0.id] ?? 0) },
                testShare: campaign.audience?.testShare,
                winner: winner,
                segment: campaign.audience?.segment,
                sendAt: MessageStoreTests.now,
                pageSize: pageSize
            )
        }
    }

    /// A list of `contacts` contacts (every tenth unsubscribed, one with a phone only) and an email campaign sending to it.
    static func withFixture(contacts: Int = 100, testShare: Double? = 0.2, _ body: (Fixture) async throws -> Void) async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            var list: UUID?
            for try await id in try await database.client.query(
                "INSERT INTO contact_lists (workspace_id, name) VALUES (\(workspace.uuid), 'newsletter') RETURNING id",
                logger: database.logger
            ).decode(UUID.self) { list = id }
            try await database.client.query(
                """
                WITH made AS (
                    INSERT INTO contacts (workspace_id, email, phone, consent)
                    SELECT \(workspace.uuid), CASE WHEN i = 1 THEN NULL ELSE 'c' || i || '@example.com' END,
                           CASE WHEN i = 1 THEN '+4915112345678' END,
                           CASE WHEN i % 10 = 0 THEN 'unsubscribed' ELSE 'subscribed' END
                    FROM generate_series(1, \(contacts)) AS i
                    RETURNING id
                )
                INSERT INTO contact_list_members (list_id, contact_id) SELECT \(list!), id FROM made
                """,
                logger: database.logger
            )
            let spec = try CampaignSpec(
                name: "News",
                channels: [.email],
                destination: "https://shop.example.com/news",
                variants: [
                    .init(key: "A", text: "One.", email: .init(subject: "One", body: "One.")),
                    .init(key: "B", text: "Two.", email: .init(subject: "Two", body: "Two.")),
                ],
                audience: CampaignAudience(list: "newsletter", testShare: testShare)
            )
            let campaign = try await CampaignStore(database, workspace: workspace).create(spec)
            try await body(Fixture(database: database, workspace: workspace, campaign: campaign, list: list!))
        }
    }

    @Test func theCampaignStoresItsAudienceAndAnUnknownListNamesTheCommand() async throws {
        try await Self.withFixture(contacts: 3) { fixture in
            #expect(fixture.campaign.audience == CampaignAudience(list: "newsletter", testShare: 0.2))
            #expect(try await fixture.count("SELECT count(*)::int FROM campaigns WHERE audience_list_id = \(fixture.list)") == 1)
            let json = String(decoding: try JSONEncoder().encode(fixture.campaign), as: UTF8.self)
            #expect(json.contains(#""audience":{"#) && json.contains(#""test_share":0.2"#), "\(json)")
            var spec = try CampaignSpec(
                name: "Other",
                channels: [.email],
                variants: [.init(key: "A", text: "One.", email: .init(subject: "One", body: "One."))],
                audience: CampaignAudience(list: "nobody")
            )
            spec.slug = "other"
            let error = await #expect(throws: ValidationError.self) {
                try await CampaignStore(fixture.database, workspace: fixture.workspace).create(spec)
            }
            #expect(error?.field == "audience.list")
            #expect("\(error.map { "\($0)" } ?? "")".contains("herald lists create nobody"))
        }
    }

    @Test func aFanOutRunTwiceMakesTheSameRowsWithEachContactsDrawnVariant() async throws {
        try await Self.withFixture { fixture in
            let first = try await fixture.fanOut(.test)
            #expect(first.created > 0 && first.created == first.considered)
            let again = try await fixture.fanOut(.test, pageSize: 1_000)
            #expect(again.created == 0 && again.considered == first.considered)
            #expect(try await fixture.count("SELECT count(*)::int FROM messages") == first.created)
            // Every message's variant and membership are VariantAssignment's; nobody unsubscribed or without an email.
            let rows = try await fixture.database.client.query(
                "SELECT contact_id, variant_id, phase, idempotency_key, id::text FROM messages",
                logger: fixture.database.logger
            )
            let variants = fixture.campaign.variants.map { (id: $0.id, weight: 0.5) }
            for try await (contact, variant, phase, key, id) in rows.decode((UUID, UUID, String, String, String).self) {
                #expect(VariantAssignment.variant(campaign: fixture.campaign.id, contact: contact, among: variants)?.uuid == variant)
                #expect(VariantAssignment.isInTestShare(campaign: fixture.campaign.id, contact: contact, share: 0.2))
                #expect(phase == "test")
                #expect(key == "msg-" + id)
            }
            #expect(
                try await fixture.count(
                    "SELECT count(*)::int FROM messages m JOIN contacts c ON c.id = m.contact_id WHERE c.consent <> 'subscribed' OR c.email IS NULL"
                ) == 0
            )
            // The rest: everyone else eligible, with the winner.
            let winner = fixture.campaign.variants[1].id
            let rest = try await fixture.fanOut(.rest, winner: winner)
            #expect(try await fixture.count("SELECT count(*)::int FROM messages") == 89)  // 100 − 10 unsubscribed − 1 phone only
            #expect(try await fixture.count("SELECT count(*)::int FROM messages WHERE phase = 'rest' AND variant_id <> \(winner.uuid)") == 0)
            #expect(rest.created == 89 - first.created)
            #expect(try await fixture.fanOut(.rest, winner: winner).created == 0)
        }
    }

    @Test func claimsAreLeasedAndAnotherWorkerTakesOnlyExpiredOnes() async throws {
        try await Self.withFixture(contacts: 20, testShare: nil) { fixture in
            _ = try await fixture.fanOut(.all)
            let store = fixture.store
            let first = try await store.claim(campaign: fixture.campaign.id, worker: "w1", limit: 5, lease: 60, now: Self.now)
            let second = try await store.claim(campaign: fixture.campaign.id, worker: "w2", limit: 100, lease: 60, now: Self.now)
            #expect(first.count == 5)
            #expect(Set(first.map(\.id)).isDisjoint(with: second.map(\.id)))
            #expect(first.allSatisfy { $0.address?.hasSuffix("@example.com") == true && $0.consent == "subscribed" })
            #expect(try await fixture.count("SELECT count(*)::int FROM messages WHERE state = 'queued'") == 17)  // claimed stay queued
            #expect(try await store.claim(campaign: fixture.campaign.id, worker: "w2", limit: 100, lease: 60, now: Self.now).isEmpty)
            // w1's lease runs out before it sends: w2 takes its messages, and w1 may no longer send them.
            let later = Self.now.addingTimeInterval(61)
            let taken = try await store.claim(campaign: fixture.campaign.id, worker: "w2", limit: 100, lease: 60, now: later)
            #expect(Set(taken.map(\.id)) == Set(first.map(\.id) + second.map(\.id)))
            #expect(try await store.markSending(first[0].id, worker: "w1") == false)
            #expect(try await store.markSending(first[0].id, worker: "w2") == true)
        }
    }

    @Test func aContactSuppressedAfterTheFanOutIsNotSentToAndAStoppedClaimIsDueWhenItEnds() async throws {
        try await Self.withFixture(contacts: 5, testShare: nil) { fixture in
            let store = fixture.store
            let claimed = try await fixture.fanOutAndClaim()
            #expect(claimed.count == 4)  // 5 − 1 phone only
            // The job that claimed them stops before sending: the next run is due when their claim ends, not never.
            #expect(try await store.nextDue(campaign: fixture.campaign.id) == Self.now.addingTimeInterval(60))
            // The first contact's address is suppressed (unsubscribed elsewhere) between the fan-out and the send.
            let first = try #require(claimed.first)
            try await fixture.database.client.query(
                """
                INSERT INTO suppressed_addresses (workspace_id, digest, reason)
                SELECT workspace_id, \(Data(repeating: 7, count: 32)), 'unsubscribed' FROM contacts WHERE id = \(first.contact)
                """,
                logger: fixture.database.logger
            )
            try await fixture.database.client.query(
                "UPDATE contacts SET email_digest = \(Data(repeating: 7, count: 32)) WHERE id = \(first.contact)",
                logger: fixture.database.logger
            )
            #expect(try await store.markSending(first.id, worker: "w1") == false)
            #expect(try await fixture.count("SELECT count(*)::int FROM messages WHERE id = \(first.id) AND state = 'suppressed'") == 1)
            // The second contact unsubscribes meanwhile: not sent either.
            let second = claimed[1]
            try await fixture.database.client.query(
                "UPDATE contacts SET consent = 'unsubscribed' WHERE id = \(second.contact)",
                logger: fixture.database.logger
            )
            #expect(try await store.markSending(second.id, worker: "w1") == false)
            #expect(try await fixture.count("SELECT count(*)::int FROM messages WHERE state = 'sending'") == 0)
        }
    }

    @Test func aChunkIsMarkedSendingInOneStatementMessageByMessage() async throws {
        try await Self.withFixture(contacts: 7, testShare: nil) { fixture in
            let store = fixture.store
            let claimed = try await fixture.fanOutAndClaim()
            #expect(claimed.count == 6)  // 7 − 1 phone only
            // Since the claim: one contact unsubscribed, one address was suppressed, one message went to another worker.
            try await fixture.database.client.query(
                "UPDATE contacts SET consent = 'unsubscribed' WHERE id = \(claimed[0].contact)",
                logger: fixture.database.logger
            )
            let digest = Data(repeating: 9, count: 32)
            try await fixture.database.client.query(
                "UPDATE contacts SET email_digest = \(digest) WHERE id = \(claimed[1].contact)",
                logger: fixture.database.logger
            )
            try await fixture.database.client.query(
                """
                INSERT INTO suppressed_addresses (workspace_id, digest, reason)
                SELECT workspace_id, \(digest), 'bounced' FROM contacts WHERE id = \(claimed[1].contact)
                """,
                logger: fixture.database.logger
            )
            try await fixture.database.client.query(
                "UPDATE messages SET claimed_by = 'w2' WHERE id = \(claimed[2].id)",
                logger: fixture.database.logger
            )
            let until = Self.now.addingTimeInterval(600)
            let unknown = UUID()
            let marked = try await store.markSending(claimed.map(\.id) + [unknown], worker: "w1", until: until)
            #expect(marked == Set(claimed[3...].map(\.id)))
            #expect(try await fixture.count("SELECT count(*)::int FROM messages WHERE state = 'suppressed'") == 2)
            #expect(try await fixture.count("SELECT count(*)::int FROM messages WHERE id = \(claimed[2].id) AND state = 'queued'") == 1)
            #expect(
                try await fixture.count(
                    "SELECT count(*)::int FROM messages WHERE state = 'sending' AND attempts = 1 AND claimed_until = \(until)"
                ) == 3
            )
            // Marked once: a second call (a retried chunk) and another worker's call mark nothing more.
            #expect(try await store.markSending(claimed.map(\.id), worker: "w1", until: until).isEmpty)
            #expect(try await store.markSending(claimed.map(\.id), worker: "w2", until: until) == [claimed[2].id])
            #expect(try await store.markSending([], worker: "w1").isEmpty)
        }
    }

    @Test func aMessageLeftSendingByACrashIsFailedAndNeverSentAgain() async throws {
        try await Self.withFixture(contacts: 5, testShare: nil) { fixture in
            let store = fixture.store
            let claimed = try await fixture.fanOutAndClaim(limit: 1)
            let message = try #require(claimed.first)
            #expect(try await store.markSending(message.id, worker: "w1"))
            // The worker dies here. Within the lease nothing changes; after it, the message is failed, not requeued.
            #expect(try await store.failAbandoned(campaign: fixture.campaign.id, now: Self.now.addingTimeInterval(30)) == 0)
            #expect(try await store.failAbandoned(campaign: fixture.campaign.id, now: Self.now.addingTimeInterval(61)) == 1)
            #expect(
                try await fixture.count(
                    "SELECT count(*)::int FROM messages WHERE id = \(message.id) AND state = 'failed' AND failure_class = 'unknown_outcome'"
                ) == 1
            )
            let rest = try await store.claim(
                campaign: fixture.campaign.id,
                worker: "w2",
                limit: 100,
                lease: 60,
                now: Self.now.addingTimeInterval(120)
            )
            #expect(!rest.contains { $0.id == message.id })
            #expect(rest.count == 3)  // 5 − 1 phone only − the failed one
        }
    }

    @Test func outcomesAreRecordedWithTheirEventsAndABounceSuppresses() async throws {
        try await Self.withFixture(contacts: 4, testShare: nil) { fixture in
            let store = fixture.store
            let claimed = try await fixture.fanOutAndClaim(limit: 10)
            #expect(claimed.count == 3)
            for message in claimed { #expect(try await store.markSending(message.id, worker: "w1")) }
            try await store.recordSent(claimed[0].id, providerID: "250 2.0.0 Ok: queued as A1", at: Self.now)
            try await store.recordSent(claimed[0].id, providerID: "250 again", at: Self.now)  // recorded once
            try await store.recordBounce(claimed[1].id, reply: "550 5.1.1 no such user", at: Self.now)
            try await store.recordTransient(claimed[2].id, error: "421 try later", maximumAttempts: 2, backoff: 60, now: Self.now)

            #expect(
                try await fixture.count(
                    "SELECT count(*)::int FROM events WHERE kind = 'impression' AND channel = 'email' AND message_id = \(claimed[0].id)"
                ) == 1
            )
            #expect(try await fixture.count("SELECT sum(count)::int FROM variant_hourly WHERE kind = 'impression' AND channel = 'email'") == 1)
            #expect(try await fixture.count("SELECT count(*)::int FROM events WHERE kind = 'bounce' AND message_id = \(claimed[1].id)") == 1)
            #expect(try await fixture.count("SELECT count(*)::int FROM contacts WHERE id = \(claimed[1].contact) AND consent = 'bounced'") == 1)
            #expect(
                try await fixture.count(
                    "SELECT count(*)::int FROM consent_changes WHERE contact_id = \(claimed[1].contact) AND state = 'bounced' AND source = 'bounce'"
                ) == 1
            )
            // The transient one waits for its backoff, then fails after its last attempt.
            #expect(try await store.claim(campaign: fixture.campaign.id, worker: "w1", limit: 10, lease: 60, now: Self.now).isEmpty)
            let retry = try await store.claim(campaign: fixture.campaign.id, worker: "w1", limit: 10, lease: 60, now: Self.now.addingTimeInterval(61))
            #expect(retry.map(\.id) == [claimed[2].id] && retry[0].attempts == 1)
            #expect(try await store.markSending(claimed[2].id, worker: "w1"))
            try await store.recordTransient(claimed[2].id, error: "421 try later", maximumAttempts: 2, backoff: 60, now: Self.now)
            #expect(try await store.counts(campaign: fixture.campaign.id) == ["sent": 1, "bounced": 1, "failed": 1])
        }
    }
}
