import Foundation
import HeraldCore
import HeraldTestSupport
import PostgresNIO
import Testing

@testable import Storage

/// Events record their publication and channel on every path in, and rollups and totals can be read per channel.
struct EventChannelTests {
    static let spec = try! CampaignSpec(
        name: "Spring sale",
        channels: [.x, .email],
        variants: [
            .init(key: "A", text: "Trail season is here.", email: .init(subject: "Trail season", body: "Trail season is here.")),
            .init(key: "B", text: "Ready for your first ultra?", email: .init(subject: "Your first ultra", body: "Ready for your first ultra?")),
        ],
        dryRun: true
    )

    static let now = Date(timeIntervalSince1970: 1_780_000_000)  // 2026-05-28
    static let time = "2026-05-27T10:00:00Z"

    /// A campaign on X and email with a publication of each variant on each channel.
    struct Fixture {
        var database: Database
        var workspace: WorkspaceID
        var campaign: Campaign
        var ingestor: EventIngestor
        /// Publications by "variant key/channel", e.g. "A/x".
        var publications: [String: Publication]

        func publication(_ key: String) -> Publication { publications[key]! }
        var a: VariantID { campaign.variants[0].id }
        var b: VariantID { campaign.variants[1].id }
    }

    func withFixture(_ body: (Fixture) async throws -> Void) async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let campaign = try await CampaignStore(database, workspace: workspace).create(Self.spec)
            var publications: [String: Publication] = [:]
            for variant in campaign.variants {
                for channel in [HeraldCore.Channel.x, .email] {
                    publications["\(variant.key)/\(channel.rawValue)"] = try await PublicationStore(database).create(
                        workspace: workspace,
                        campaign: campaign.id,
                        variant: variant.id,
                        channel: channel,
                        scheduledAt: Self.now,
                        idempotencyKey: "test:\(variant.key):\(channel.rawValue)"
                    )
                }
            }
            try await body(
                Fixture(
                    database: database,
                    workspace: workspace,
                    campaign: campaign,
                    ingestor: EventIngestor(database, workspace: workspace),
                    publications: publications
                )
            )
        }
    }

    func count(_ sql: String, _ database: Database) async throws -> Int {
        let rows = try await database.client.query(.init(unsafeSQL: sql), logger: database.logger)
        for try await value in rows.decode(Int.self) { return value }
        return -1
    }

    /// Every stored event as "publication|channel|kind", sorted (publication empty when NULL).
    func storedEvents(_ database: Database) async throws -> [String] {
        let rows = try await database.client.query(
            "SELECT coalesce(publication_id::text, ''), channel, kind FROM events ORDER BY 1, 2, 3",
            logger: database.logger
        )
        var result: [String] = []
        for try await (publication, channel, kind) in rows.decode((String, String, String).self) {
            result.append("\(publication)|\(channel)|\(kind)")
        }
        return result.sorted()
    }

    /// Every rollup row as "variant key|channel|kind|count", sorted.
    func rollups(_ database: Database) async throws -> [String] {
        let rows = try await database.client.query(
            """
            SELECT v.key, h.channel, h.kind, h.count::int FROM variant_hourly h JOIN variants v ON v.id = h.variant_id
            ORDER BY 1, 2, 3
            """,
            logger: database.logger
        )
        var result: [String] = []
        for try await (key, channel, kind, count) in rows.decode((String, String, String, Int).self) {
            result.append("\(key)|\(channel)|\(kind)|\(count)")
        }
        return result.sorted()
    }

    func json(_ id: UUID = UUID(), variant: VariantID, kind: String = "click", publication: String? = nil) -> String {
        let named = publication.map { #", "publication_id": "\#($0)""# } ?? ""
        return #"{"id": "\#(id)", "variant_id": "\#(variant)", "kind": "\#(kind)", "occurred_at": "\#(Self.time)"\#(named)}"#
    }

    @Test func aTrackingHitRecordsItsPublicationAndChannelInTheEventAndTheRollup() async throws {
        try await withFixture { (fixture: Fixture) async throws in
            let publication = fixture.publication("B/email")
            let target = try #require(try await PublicationStore(fixture.database).tracking(code: publication.trackingCode))
            try await fixture.ingestor.record(target, kind: .click, at: Self.now, isBot: false)
            try await fixture.ingestor.record(target, kind: .impression, at: Self.now, isBot: false)
            let id = publication.id.uuidString.lowercased()
            #expect(try await storedEvents(fixture.database) == ["\(id)|email|click", "\(id)|email|impression"])
            #expect(try await rollups(fixture.database) == ["B|email|click|1", "B|email|impression|1"].sorted())
        }
    }

    @Test func aJSONBatchNamingPublicationsStoresTheirChannelsAndRowsWithoutOneStillCount() async throws {
        try await withFixture { (fixture: Fixture) async throws in
            let ax = fixture.publication("A/x").id.uuidString.lowercased()
            let be = fixture.publication("B/email").id.uuidString.lowercased()
            let batch = [
                json(variant: fixture.a, publication: ax), json(variant: fixture.b, kind: "impression", publication: be.uppercased()),
                json(variant: fixture.a),
                #"{"id": "\#(UUID())", "variant_id": "\#(fixture.a)", "kind": "click", "occurred_at": "\#(Self.time)", "publication_id": null}"#,
            ]
            let result = try await fixture.ingestor.ingest(json: Array("[\(batch.joined(separator: ","))]".utf8), maximumRows: 100, now: Self.now)
            #expect(result == IngestResult(accepted: 4, duplicates: 0))
            #expect(try await storedEvents(fixture.database) == ["||click", "||click", "\(ax)|x|click", "\(be)|email|impression"].sorted())
            #expect(try await rollups(fixture.database) == ["A||click|2", "A|x|click|1", "B|email|impression|1"].sorted())
            // The fallback path (some ids stored before) writes the same columns.
            let replay = batch + [json(variant: fixture.b, publication: be), json(variant: fixture.b, publication: be)]
            let again = try await fixture.ingestor.ingest(json: Array(replay.joined(separator: "\n").utf8), maximumRows: 100, now: Self.now)
            #expect(again == IngestResult(accepted: 2, duplicates: 4))
            #expect(try await rollups(fixture.database) == ["A||click|2", "A|x|click|1", "B|email|click|2", "B|email|impression|1"].sorted())
        }
    }

    @Test func aJSONBatchNamingAPublicationOfAnotherVariantWorkspaceOrNoneIsRejectedWhole() async throws {
        try await withFixture { (fixture: Fixture) async throws in
            let other = try await WorkspaceStore(fixture.database).ensure(slug: "other")
            let foreignCampaign = try await CampaignStore(fixture.database, workspace: other).create(Self.spec)
            let foreign = try await PublicationStore(fixture.database).create(
                workspace: other,
                campaign: foreignCampaign.id,
                variant: foreignCampaign.variants[0].id,
                channel: .x,
                scheduledAt: Self.now,
                idempotencyKey: "other:A:x"
            )
            let bx = fixture.publication("B/x").id.uuidString.lowercased()
            let unknown = UUID().uuidString.lowercased()
            let batch = [
                json(variant: fixture.b, publication: bx),  // good
                json(variant: fixture.a, publication: bx),  // B's publication on an A row
                json(variant: fixture.a, publication: foreign.id.uuidString.lowercased()),
                json(variant: fixture.a, publication: unknown),
                json(variant: fixture.a, publication: "not-a-uuid"),
            ]
            let rejected = await #expect(throws: EventIngestor.RejectedBatch.self) {
                _ = try await fixture.ingestor.ingest(json: Array("[\(batch.joined(separator: ","))]".utf8), maximumRows: 100, now: Self.now)
            }
            let errors = try #require(rejected?.errors.errors.map(\.description))
            #expect(errors.count == 4)
            #expect(errors[0] == "row 2: publication_id: \(bx) is a publication of variant B, not of A")
            #expect(
                errors[1]
                    == "row 3: publication_id: \(foreign.id.uuidString.lowercased()) is not a publication of this workspace (see `herald publications list`)"
            )
            #expect(errors[2].hasPrefix("row 4: publication_id: \(unknown) is not a publication of this workspace"))
            #expect(errors[3] == "row 5: publication_id: \"not-a-uuid\" is not a UUID")
            #expect(try await count("SELECT count(*)::int FROM event_ids", fixture.database) == 0)
            #expect(try await count("SELECT count(*)::int FROM variant_hourly", fixture.database) == 0)
        }
    }

    @Test func aCSVFileWithAPublicationColumnStoresChannelsThroughCOPYAndNamesBadRowsByLine() async throws {
        try await withFixture { (fixture: Fixture) async throws in
            let ae = fixture.publication("A/email").id.uuidString.lowercased()
            let bx = fixture.publication("B/x").id.uuidString.lowercased()
            let rows = [
                "\(UUID()),\(fixture.a),impression,\(Self.time),,\(ae)", "\(UUID()),\(fixture.a),click,\(Self.time),,\(ae)",
                "\(UUID()),\(fixture.b),click,\(Self.time),,", "\(UUID()),\(fixture.b),conversion,\(Self.time),9.5,\(bx)",
            ]
            let csv = "id,variant_id,kind,occurred_at,value,publication_id\n" + rows.joined(separator: "\n") + "\n"
            let bad = csv + "\(UUID()),\(fixture.a),click,\(Self.time),,\(bx)\n"
            let errors = await #expect(throws: ValidationErrors.self) {
                _ = try await fixture.ingestor.ingest(csv: Array(bad.utf8), source: "events.csv", now: Self.now)
            }
            #expect(errors?.description == "events.csv:6: publication_id: \(bx) is a publication of variant B, not of A")
            #expect(try await count("SELECT count(*)::int FROM events", fixture.database) == 0)
            #expect(try await fixture.ingestor.ingest(csv: Array(csv.utf8), source: "events.csv", now: Self.now) == .init(accepted: 4, duplicates: 0))
            #expect(
                try await storedEvents(fixture.database) == ["||click", "\(ae)|email|click", "\(ae)|email|impression", "\(bx)|x|conversion"].sorted()
            )
            #expect(try await rollups(fixture.database) == ["A|email|click|1", "A|email|impression|1", "B||click|1", "B|x|conversion|1"].sorted())
            // A replay with one new row takes the fallback path.
            let replay = csv + "\(UUID()),\(fixture.a),click,\(Self.time),,\(ae)\n"
            #expect(
                try await fixture.ingestor.ingest(csv: Array(replay.utf8), source: "events.csv", now: Self.now) == .init(accepted: 1, duplicates: 4)
            )
            #expect(try await rollups(fixture.database).first == "A|email|click|2")
            // A file without the column is read as before.
            let plain = "id,variant_id,kind,occurred_at\n\(UUID()),\(fixture.b),click,\(Self.time)\n"
            #expect(
                try await fixture.ingestor.ingest(csv: Array(plain.utf8), source: "plain.csv", now: Self.now) == .init(accepted: 1, duplicates: 0)
            )
            #expect(try await rollups(fixture.database).contains("B||click|2"))
        }
    }

    @Test func builtEventsTakeTheirPublicationsChannelAndMustMatchItsVariant() async throws {
        try await withFixture { (fixture: Fixture) async throws in
            let email = fixture.publication("A/email").id
            let event = EngagementEvent(id: EventID(UUID()), variantID: fixture.a, kind: .click, occurredAt: Self.now, publicationID: email)
            var wrong = event
            wrong.id = EventID(UUID())
            wrong.variantID = fixture.b
            await #expect(throws: ValidationError.self) { _ = try await fixture.ingestor.ingest([event, wrong]) }
            #expect(try await count("SELECT count(*)::int FROM events", fixture.database) == 0)
            #expect(try await fixture.ingestor.ingest([event]) == .init(accepted: 1, duplicates: 0))
            #expect(try await rollups(fixture.database) == ["A|email|click|1"].sorted())
        }
    }

    @Test func totalsAndDaysCanBeReadPerChannel() async throws {
        try await withFixture { (fixture: Fixture) async throws in
            func events(_ variant: VariantID, _ publication: String?, _ kind: EventKind, _ count: Int, day: Int = 0) -> [EngagementEvent] {
                (0..<count).map { _ in
                    EngagementEvent(
                        id: EventID(UUID()),
                        variantID: variant,
                        kind: kind,
                        occurredAt: Self.now.addingTimeInterval(Double(day) * -86_400),
                        publicationID: publication.map { fixture.publication($0).id }
                    )
                }
            }
            var batch = events(fixture.a, "A/x", .impression, 10) + events(fixture.a, "A/x", .click, 2)
            batch += events(fixture.a, "A/email", .impression, 5, day: 1) + events(fixture.a, "A/email", .click, 1, day: 1)
            batch += events(fixture.b, "B/email", .impression, 8) + events(fixture.b, "B/email", .click, 3)
            batch += events(fixture.b, nil, .impression, 4) + events(fixture.b, nil, .click, 1)
            _ = try await fixture.ingestor.ingest(batch)
            let store = EventStore(fixture.database, workspace: fixture.workspace)
            let totals = try await store.totalsPerChannel(campaign: fixture.campaign.id, metric: .click)
            #expect(
                totals.map { "\($0.channel)|\($0.key)|\($0.impressions)|\($0.successes)" } == ["|B|4|1", "email|A|5|1", "email|B|8|3", "x|A|10|2"]
            )
            // The pooled totals still count every event, with or without a publication.
            let pooled = try await store.totals(campaign: fixture.campaign.id, metric: .click)
            #expect(pooled.map(\.impressions) == [15, 12])
            #expect(pooled.map(\.successes) == [3, 4])
            let days = try await store.dailyPerChannel(campaign: fixture.campaign.id, metric: .click)
            #expect(days.filter { $0.channel == "email" }.count == 2)
            #expect(days.first { $0.channel == "email" && $0.variant == fixture.a }?.day == Date(timeIntervalSince1970: 1_779_840_000))  // 2026-05-27
            #expect(days.reduce(0) { $0 + $1.impressions } == 27)
            // Send times read each rollup's channel; events without one count for the campaign's first channel (x).
            let email = try await store.hourOfWeek(channel: .email, metric: .click)
            #expect(email.reduce(0) { $0 + $1.trials } == 13)
            let x = try await store.hourOfWeek(channel: .x, metric: .click)
            #expect(x.reduce(0) { $0 + $1.trials } == 14)
        }
    }
}
