import Foundation
import HeraldCore
import HeraldTestSupport
import PostgresNIO
import Testing

@testable import Storage

/// Every way in goes through one ingestor: JSON batches, CSV files, tracking hits and built events.
struct EventIngestorTests {
    static let spec = try! CampaignSpec(
        name: "Spring sale",
        channels: [.x],
        variants: [.init(key: "A", text: "Trail season is here."), .init(key: "B", text: "Ready for your first ultra?")]
    )

    func withCampaign(_ body: (Database, EventIngestor, Campaign) async throws -> Void) async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let campaign = try await CampaignStore(database, workspace: workspace).create(Self.spec)
            try await body(database, EventIngestor(database, workspace: workspace), campaign)
        }
    }

    func count(_ sql: String, _ database: Database) async throws -> Int {
        let rows = try await database.client.query(.init(unsafeSQL: sql), logger: database.logger)
        for try await value in rows.decode(Int.self) { return value }
        return -1
    }

    /// A tracking link's target for `variant`, as the tracking routes look it up.
    static func target(_ variant: Campaign.Variant, of campaign: Campaign, in ingestor: EventIngestor) -> TrackingTarget {
        TrackingTarget(
            publication: UUID(),
            workspace: ingestor.store.workspace,
            campaign: campaign.id,
            campaignSlug: campaign.slug,
            variant: variant.id,
            variantKey: variant.key,
            channel: "x",
            destination: nil
        )
    }

    static let now = Date(timeIntervalSince1970: 1_780_000_000)  // 2026-05-28

    @Test func aJSONBatchWithOneBadRowWritesNothingAndNamesTheRow() async throws {
        try await withCampaign { (database: Database, ingestor: EventIngestor, campaign: Campaign) async throws in
            let variant = campaign.variants[0].id
            let good = #"{"id": "\#(UUID())", "variant_id": "\#(variant)", "kind": "click", "occurred_at": "2026-05-27T10:00:00Z"}"#
            let bad = #"{"id": "\#(UUID())", "variant_id": "\#(variant)", "kind": "clik", "occurred_at": "2026-05-27T10:00:00Z"}"#
            let foreign = #"{"id": "\#(UUID())", "variant_id": "\#(UUID())", "kind": "click", "occurred_at": "2026-05-27T10:00:00Z"}"#
            let rejected = await #expect(throws: EventIngestor.RejectedBatch.self) {
                _ = try await ingestor.ingest(json: Array("[\(good), \(bad), \(foreign)]".utf8), maximumRows: 100, now: Self.now)
            }
            #expect(rejected?.rows == 3)
            #expect(rejected?.errors.total == 2)
            #expect(rejected?.errors.description.contains("row 2") == true)
            #expect(try await count("SELECT count(*)::int FROM event_ids", database) == 0)
            await #expect(throws: EventIngestor.UnreadableBody.self) {
                _ = try await ingestor.ingest(json: Array("  ".utf8), maximumRows: 100, now: Self.now)
            }
            let stored = try await ingestor.ingest(json: Array("\(good)\n\(good)\n".utf8), maximumRows: 100, now: Self.now)
            #expect(stored == IngestResult(accepted: 1, duplicates: 1))
        }
    }

    @Test func aCSVFileIsCheckedByLineAndStoredOnce() async throws {
        try await withCampaign { (database: Database, ingestor: EventIngestor, campaign: Campaign) async throws in
            let variant = campaign.variants[1].id
            let ids = (0..<3).map { _ in UUID() }
            let csv =
                "id,variant_id,kind,occurred_at,value\n" + ids.map { "\($0),\(variant),conversion,2026-05-27T10:00:00Z,12.5" }.joined(separator: "\n")
            let bad = csv + "\n\(UUID()),\(variant),conversion,yesterday,\n"
            let errors = await #expect(throws: ValidationErrors.self) {
                _ = try await ingestor.ingest(csv: Array(bad.utf8), source: "events.csv", now: Self.now)
            }
            #expect(errors?.description.contains("events.csv:5") == true)
            #expect(try await count("SELECT count(*)::int FROM events", database) == 0)
            #expect(try await ingestor.ingest(csv: Array(csv.utf8), source: "events.csv", now: Self.now) == .init(accepted: 3, duplicates: 0))
            #expect(try await ingestor.ingest(csv: Array(csv.utf8), source: "events.csv", now: Self.now) == .init(accepted: 0, duplicates: 3))
            #expect(try await count("SELECT sum(count)::int FROM variant_hourly WHERE kind = 'conversion'", database) == 3)
            #expect(try await count("SELECT (sum(value_sum) * 10)::int FROM variant_hourly", database) == 375)
        }
    }

    @Test func trackingHitsAreStoredAndOnlyPeopleAreRolledUp() async throws {
        try await withCampaign { (database: Database, ingestor: EventIngestor, campaign: Campaign) async throws in
            let variant = campaign.variants[0]
            let target = Self.target(variant, of: campaign, in: ingestor)
            try await ingestor.record(target, kind: .click, at: Self.now, isBot: false)
            try await ingestor.record(target, kind: .click, at: Self.now, isBot: true)
            #expect(try await count("SELECT count(*)::int FROM events", database) == 2)
            #expect(try await count("SELECT count(*)::int FROM events WHERE is_bot", database) == 1)
            #expect(try await count("SELECT sum(count)::int FROM variant_hourly", database) == 1)
        }
    }

    @Test func builtEventsMustNameTheWorkspacesVariants() async throws {
        try await withCampaign { (database: Database, ingestor: EventIngestor, campaign: Campaign) async throws in
            let stranger = EngagementEvent(id: EventID(UUID()), variantID: VariantID(UUID()), kind: .click, occurredAt: Self.now)
            let own = EngagementEvent(id: EventID(UUID()), variantID: campaign.variants[0].id, kind: .click, occurredAt: Self.now)
            await #expect(throws: ValidationError.self) { _ = try await ingestor.ingest([own, stranger]) }
            #expect(try await count("SELECT count(*)::int FROM events", database) == 0)
            #expect(try await ingestor.ingest([own]) == .init(accepted: 1, duplicates: 0))
        }
    }

    @Test func aPartitionDroppedBehindHeraldsBackIsMadeAgainOnEveryPath() async throws {
        try await withCampaign { (database: Database, ingestor: EventIngestor, campaign: Campaign) async throws in
            let variant = campaign.variants[0]
            let july = Date(timeIntervalSince1970: 1_783_000_000)  // 2026-07-02
            let event = { EngagementEvent(id: EventID(UUID()), variantID: variant.id, kind: .impression, occurredAt: july) }
            #expect(try await ingestor.ingest([event()]).accepted == 1)
            try await database.client.execute("DROP TABLE events_2026m07", logger: database.logger)
            #expect(try await ingestor.ingest([event()]).accepted == 1)
            try await database.client.execute("DROP TABLE events_2026m07", logger: database.logger)
            let target = Self.target(variant, of: campaign, in: ingestor)
            try await ingestor.record(target, kind: .click, at: july, isBot: false)
            #expect(try await count("SELECT count(*)::int FROM events", database) == 1)
        }
    }

    @Test func partitionMemoryBelongsToOneDatabase() async throws {
        let month = Date(timeIntervalSince1970: 1_790_000_000)  // 2026-09-21
        func partitions(_ database: Database) async throws -> Int {
            try await count("SELECT count(*)::int FROM pg_inherits WHERE inhparent = 'events'::regclass", database)
        }
        try await TestDatabase.withFreshDatabase { first in
            try await TestDatabase.withFreshDatabase { second in
                let before = try await partitions(second)
                try await PartitionManager(first).ensure(covering: [month])
                #expect(try await partitions(second) == before)
                try await PartitionManager(second).ensure(covering: [month])
                #expect(try await partitions(second) >= before + 1)
            }
        }
    }
}
