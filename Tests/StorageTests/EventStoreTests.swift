import Foundation
import HeraldCore
import HeraldTestSupport
import PostgresNIO
import Testing

@testable import Storage

struct EventStoreTests {
    static let spec = try! CampaignSpec(
        name: "Spring sale",
        channels: [.x],
        variants: [.init(key: "A", text: "Trail season is here."), .init(key: "B", text: "Ready for your first ultra?")]
    )

    /// Runs `body` on a fresh database with the spec's campaign in workspace `default`.
    func withCampaign(_ body: (Database, EventStore, Campaign) async throws -> Void) async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let campaign = try await CampaignStore(database, workspace: workspace).create(Self.spec)
            try await body(database, EventStore(database, workspace: workspace), campaign)
        }
    }

    func events(_ variant: VariantID, count: Int, kind: EventKind, start: Date) -> [EngagementEvent] {
        (0..<count).map { index in
            EngagementEvent(id: EventID(UUID()), variantID: variant, kind: kind, occurredAt: start.addingTimeInterval(Double(index) * 60))
        }
    }

    @Test func ingestCountsEachEventOnceAcrossRetriesAndWithinABatch() async throws {
        try await withCampaign { database, store, campaign in
            let start = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01, crossing into February below
            let impressions = events(campaign.variants[0].id, count: 100, kind: .impression, start: start.addingTimeInterval(31 * 86_400 - 3_000))
            let clicks = events(campaign.variants[0].id, count: 7, kind: .click, start: start)

            let first = try await EventIngestor(database, workspace: store.workspace).ingest(impressions + clicks + [clicks[0]])
            #expect(first == .init(accepted: 107, duplicates: 1))
            let replay = try await EventIngestor(database, workspace: store.workspace).ingest(impressions + clicks)
            #expect(replay == .init(accepted: 0, duplicates: 107))

            let totals = try await store.totals(campaign: campaign.id, metric: .click)
            #expect(totals.map(\.impressions) == [100, 0])
            #expect(totals.map(\.successes) == [7, 0])
            let rows = try await database.client.query("SELECT count(*)::int FROM events", logger: database.logger)
            for try await count in rows.decode(Int.self) { #expect(count == 107) }
            let partitions = try await database.client.query(
                "SELECT count(*)::int FROM pg_inherits WHERE inhparent = 'events'::regclass",
                logger: database.logger
            )
            for try await count in partitions.decode(Int.self) { #expect(count >= 2) }
        }
    }

    @Test func concurrentOverlappingBatchesCountOnce() async throws {
        try await withCampaign { database, store, campaign in
            let all = events(campaign.variants[1].id, count: 400, kind: .impression, start: Date(timeIntervalSince1970: 1_767_225_600))
            let results = try await withThrowingTaskGroup(of: IngestResult.self) { group in
                for offset in stride(from: 0, to: 300, by: 50) {
                    group.addTask { try await EventIngestor(database, workspace: store.workspace).ingest(Array(all[offset..<(offset + 100)])) }
                }
                return try await group.reduce(into: [IngestResult]()) { $0.append($1) }
            }
            #expect(results.map(\.accepted).reduce(0, +) == 350)
            let totals = try await store.totals(campaign: campaign.id, metric: .click)
            #expect(totals[1].impressions == 350)
        }
    }

    struct BadRow: Error {}

    /// Hands out the events in chunks of `size`, then throws `failure` if given.
    final class Chunks {
        var remaining: ArraySlice<EngagementEvent>
        let size: Int
        let failure: (any Error)?

        init(_ events: [EngagementEvent], size: Int, failure: (any Error)? = nil) {
            remaining = events[...]
            self.size = size
            self.failure = failure
        }

        func next() throws -> [EngagementEvent]? {
            if remaining.isEmpty {
                if let failure { throw failure }
                return nil
            }
            let chunk = Array(remaining.prefix(size))
            remaining = remaining.dropFirst(size)
            return chunk
        }
    }

    func count(_ table: String, _ database: Database) async throws -> Int {
        let query: PostgresQuery = table == "events" ? "SELECT count(*)::int FROM events" : "SELECT count(*)::int FROM event_ids"
        let rows = try await database.client.query(query, logger: database.logger)
        for try await count in rows.decode(Int.self) { return count }
        return -1
    }

    @Test func streamedIngestCountsRepeatsAndReplaysOnceAndABadRowLateInTheInputWritesNothing() async throws {
        try await withCampaign { database, store, campaign in
            let campaigns = try await store.campaigns(among: nil)
            let start = Date(timeIntervalSince1970: 1_767_225_600)
            let impressions = events(campaign.variants[0].id, count: 500, kind: .impression, start: start)
            let clicks = events(campaign.variants[1].id, count: 40, kind: .click, start: start)

            // A bad row found after several chunks were sent: nothing stays written.
            let failing = Chunks(impressions + clicks, size: 64, failure: BadRow())
            await #expect(throws: BadRow.self) { try await store.store(chunks: failing.next, campaigns: campaigns) }
            #expect(try await count("event_ids", database) == 0)
            #expect(try await count("events", database) == 0)

            // Repeats within the input, in different chunks: the first is kept.
            let first = Chunks(impressions + [impressions[3]] + clicks + [clicks[0]], size: 100)
            #expect(try await store.store(chunks: first.next, campaigns: campaigns) == .init(accepted: 540, duplicates: 2))

            // A replay mixed with new events, the stored ones in later chunks than the first: only the new count.
            let more = events(campaign.variants[1].id, count: 30, kind: .click, start: start.addingTimeInterval(86_400))
            let mixed = Chunks(more + impressions + clicks, size: 50)
            #expect(try await store.store(chunks: mixed.next, campaigns: campaigns) == .init(accepted: 30, duplicates: 540))

            let totals = try await store.totals(campaign: campaign.id, metric: .click)
            #expect(totals.map(\.impressions) == [500, 0])
            #expect(totals.map(\.successes) == [0, 70])
            #expect(try await count("events", database) == 570)
            #expect(try await count("event_ids", database) == 570)
        }
    }

    @Test func aStreamedLoadNeedingANewMonthDoesNotWaitForAnotherWriter() async throws {
        // The import holds id E and needs a new month's partition while another transaction writes events
        // and then wants E. Made with CREATE TABLE ... PARTITION OF, the partition waited for that writer,
        // which waited for the import: a cycle across two connections that nothing broke (the writer's
        // statement timeout ended it after 60 s). Attached instead (migration 0007), it waits for nobody.
        try await withCampaign { database, store, campaign in
            let workspace = store.workspace
            let campaigns = try await store.campaigns(among: nil)
            let variant = campaign.variants[0].id
            let now = Date()
            try await PartitionManager(database).ensure(covering: [now])
            let old = Date(timeIntervalSince1970: 1_600_000_000)  // 2020-09: no partition yet
            let shared = EngagementEvent(id: EventID(UUID()), variantID: variant, kind: .click, occurredAt: old)
            let load = [shared] + events(variant, count: 20, kind: .impression, start: old)
            let (handedOut, signal) = AsyncStream<Void>.makeStream()

            try await withThrowingTaskGroup(of: String.self) { group in
                let (begun, begin) = AsyncStream<Void>.makeStream()
                group.addTask {
                    // The other writer: holds a lock on events, then (once the load holds E) writes E too.
                    do {
                        try await database.transaction { connection in
                            try await connection.query("SET LOCAL statement_timeout = '60s'", logger: database.logger)
                            try await connection.query(
                                """
                                INSERT INTO events (id, workspace_id, campaign_id, variant_id, kind, occurred_at)
                                VALUES (\(UUID()), \(workspace.uuid), \(campaign.id.uuid), \(variant.uuid), 'click', \(now))
                                """,
                                logger: database.logger
                            )
                            begin.yield()
                            var iterator = handedOut.makeAsyncIterator()
                            await iterator.next()
                            try await Task.sleep(for: .seconds(1))  // the load's COPY of E ends meanwhile
                            try await connection.query(
                                "INSERT INTO event_ids (id, workspace_id) VALUES (\(shared.id.uuid), \(workspace.uuid))",
                                logger: database.logger
                            )
                        }
                        return "committed"
                    } catch {
                        return StorageError.sqlState(error) ?? "\(error)"
                    }
                }
                var iterator = begun.makeAsyncIterator()
                await iterator.next()
                let chunks = Chunks(load, size: 100)
                let result = try await store.store(
                    chunks: {
                        let chunk = try chunks.next()
                        if chunk == nil { signal.yield() }
                        return chunk
                    },
                    campaigns: campaigns
                )
                let outcome = try await group.next() ?? "not run"
                // The writer finds E stored by the load (23505), or stored E first and the load skipped it;
                // never a statement timeout.
                #expect(["23505", "committed"].contains(outcome), "the other writer ended with \(outcome)")
                #expect(result.accepted + result.duplicates == 21)
                #expect(result.accepted == (outcome == "committed" ? 20 : 21))
            }
        }
    }

    static func midJune(_ year: Int) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: DateComponents(year: year, month: 6, day: 15))!
    }

    @Test(.timeLimit(.minutes(2))) func manySessionsMakingTheSameMonthAtOnceAllSucceed() async throws {
        // At the turn of a month every ingest and tracking hit needs the new partition at once. Made by two
        // sessions together, the second CREATE TABLE failed with "type events_2026m12 already exists" (42710)
        // and a click answered 500 (migration 0015). Sixteen sessions on separate connections race here for
        // each of several months no one has made yet.
        try await withCampaign { database, store, campaign in
            for year in 2061...2100 {
                let month = Self.midJune(year)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<16 {
                        group.addTask {
                            try await database.client.execute("SELECT herald_ensure_event_partition(\(month))", logger: database.logger)
                        }
                    }
                    try await group.waitForAll()
                }
            }
            let made = try await database.client.query(
                "SELECT count(*)::int FROM pg_inherits WHERE inhparent = 'events'::regclass AND inhrelid::regclass::text LIKE 'events_2%m06' AND inhrelid::regclass::text >= 'events_2061'",
                logger: database.logger
            )
            var count = 0
            for try await (value) in made.decode(Int.self) { count = value }
            #expect(count == 40)
            let event = EngagementEvent(
                id: EventID(UUID()),
                variantID: campaign.variants[0].id,
                kind: .click,
                occurredAt: Self.midJune(2092)
            )
            let result = try await store.store([event], campaigns: try await store.campaigns(among: nil))
            #expect(result.accepted == 1)
        }
    }

    @Test func aBigReplayIsStoredInSeveralStatementsOfOneTransaction() async throws {
        try await withCampaign { database, store, campaign in
            let campaigns = try await store.campaigns(among: nil)
            let start = Date(timeIntervalSince1970: 1_767_225_600)
            let stored = events(campaign.variants[0].id, count: 12, kind: .impression, start: start)
            #expect(try await EventIngestor(database, workspace: store.workspace).ingest(stored) == .init(accepted: 12, duplicates: 0))
            let fresh = events(campaign.variants[0].id, count: 18, kind: .click, start: start)
            let batch = EventRows.uniqueSortedByID(stored + fresh)
            #expect(try await store.storeNewOnly(batch, campaigns: campaigns, statementRows: 7) == 18)
            #expect(try await store.storeNewOnly(batch, campaigns: campaigns, statementRows: 7) == 0)
            let totals = try await store.totals(campaign: campaign.id, metric: .click)
            #expect(totals[0].impressions == 12 && totals[0].successes == 18)
            #expect(try await count("events", database) == 30)
        }
    }

    @Test func storedEventsReadBackExactly() async throws {
        try await withCampaign { database, store, campaign in
            let workspace = store.workspace
            let variant = campaign.variants[1].id
            let events = [
                EngagementEvent(
                    id: EventID(UUID()),
                    variantID: variant,
                    kind: .conversion,
                    occurredAt: Date(timeIntervalSince1970: 1_772_357_400.123456),
                    value: 19.99
                ),
                EngagementEvent(
                    id: EventID(UUID()),
                    variantID: variant,
                    kind: .conversion,
                    occurredAt: Date(timeIntervalSince1970: 946_684_800),
                    value: -3.5
                ),
                EngagementEvent(id: EventID(UUID()), variantID: variant, kind: .like, occurredAt: Date(timeIntervalSince1970: 1_772_357_400.5)),
            ]
            #expect(try await EventIngestor(database, workspace: store.workspace).ingest(events) == .init(accepted: 3, duplicates: 0))
            let rows = try await database.client.query(
                """
                SELECT id, workspace_id, campaign_id, variant_id, kind,
                       to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'), value::text
                FROM events ORDER BY occurred_at
                """,
                logger: database.logger
            )
            var read: [String] = []
            for try await (id, workspaceID, campaignID, variantID, kind, time, value) in rows.decode(
                (UUID, UUID, UUID, UUID, String, String, String?).self
            ) {
                #expect(workspaceID == workspace.uuid && campaignID == campaign.id.uuid && variantID == variant.uuid)
                read.append("\(events.first { $0.id.uuid == id }!.kind) \(kind) \(time) \(value ?? "null")")
            }
            #expect(
                read == [
                    "conversion conversion 2000-01-01 00:00:00.000000 -3.5",
                    "conversion conversion 2026-03-01 09:30:00.123456 19.99",
                    "like like 2026-03-01 09:30:00.500000 null",
                ]
            )
        }
    }

    @Test func aTimeBetweenMicrosecondsIsStoredAndRolledUpAsOneInstantOnEveryPath() async throws {
        try await withCampaign { database, store, campaign in
            let policy = EventAcceptancePolicy(now: Date(timeIntervalSince1970: 1_780_000_000))
            let variant = campaign.variants[0].id
            func event() throws -> EngagementEvent {
                try policy.event(
                    id: UUID().uuidString,
                    variantID: variant.description,
                    kind: "click",
                    occurredAt: "2026-03-01T10:59:59.9999996Z",
                    value: String?.none,
                    isKnownVariant: { _ in true }
                )
            }
            #expect(try await EventIngestor(database, workspace: store.workspace).ingest([try event()]).accepted == 1)
            let streamed = Chunks([try event()], size: 1)
            #expect(try await store.store(chunks: streamed.next, campaigns: try await store.campaigns(among: nil)).accepted == 1)
            let times = try await database.client.query(
                "SELECT to_char(occurred_at AT TIME ZONE 'UTC', 'HH24:MI:SS.US') FROM events",
                logger: database.logger
            )
            for try await time in times.decode(String.self) { #expect(time == "11:00:00.000000") }
            let hours = try await database.client.query(
                "SELECT to_char(hour AT TIME ZONE 'UTC', 'HH24:MI'), count::int FROM variant_hourly",
                logger: database.logger
            )
            var rollups: [String] = []
            for try await (hour, count) in hours.decode((String, Int).self) { rollups.append("\(hour) \(count)") }
            #expect(rollups == ["11:00 2"])
        }
    }

    @Test func workspacesDoNotSeeEachOthersCampaigns() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let mine = try await WorkspaceStore(database).ensure(slug: "mine")
            let theirs = try await WorkspaceStore(database).ensure(slug: "theirs")
            let campaign = try await CampaignStore(database, workspace: mine).create(Self.spec)
            await #expect(throws: NotFoundError.self) { try await CampaignStore(database, workspace: theirs).find(campaign.id) }
            await #expect(throws: NotFoundError.self) { try await CampaignStore(database, workspace: theirs).find(campaign.slug) }
            #expect(try await EventStore(database, workspace: theirs).campaigns(among: nil).isEmpty)
            #expect(try await CampaignStore(database, workspace: theirs).list().isEmpty)
        }
    }

    @Test func duplicateSlugIsAValidationError() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let store = CampaignStore(database, workspace: workspace)
            let created = try await store.create(Self.spec)
            #expect(created.slug == "spring-sale")
            #expect(created.variants.map(\.key) == ["A", "B"])
            await #expect {
                try await store.create(Self.spec)
            } throws: { error in
                (error as? ValidationError)?.field == "slug"
            }
            #expect(try await store.list().count == 1)
        }
    }
}
