import Foundation
import HeraldCore
import HeraldTestSupport
import PostgresNIO
import Testing

@testable import Storage

/// Tracking hits stored in batches (the spool's group commit): deduplicated as one by one, bots marked, each once.
@Suite struct TrackingBatchTests {
    static let agent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0"

    func count(_ sql: String, _ database: Database) async throws -> Int {
        let rows = try await database.client.query(.init(unsafeSQL: sql), logger: database.logger)
        for try await value in rows.decode(Int.self) { return value }
        return -1
    }

    @Test func aBatchCountsEachClientOncePerWindowMarksBotsAndStoresEachHitOnce() async throws {
        try await EventChannelTests().withFixture { (fixture: EventChannelTests.Fixture) async throws in
            let database = fixture.database
            let target = try #require(try await PublicationStore(database).tracking(code: fixture.publication("A/x").trackingCode))
            let deduplicator = TrackingDeduplicator(database, window: .seconds(30))
            let start = Date().addingTimeInterval(-600)
            func hit(_ offset: TimeInterval, client: String = "198.51.100.7", agent: String = Self.agent) -> TrackingHit {
                TrackingHit(
                    target: target,
                    kind: .click,
                    at: start + offset,
                    isBot: BotFilter.isBot(userAgent: agent),
                    client: .plain(address: client, userAgent: agent)
                )
            }
            // Out of order on purpose: one client's hits are taken in time order, each window from the hit that counted.
            let hits = [
                hit(40), hit(0), hit(10), hit(45), hit(71), hit(5, client: "198.51.100.8"),
                hit(6, client: "198.51.100.9", agent: "Googlebot/2.1"),
            ]
            let counted = try await EventIngestor.record(hits, database: database, deduplicator: deduplicator)
            #expect(counted == [true, true, false, false, true, true, true])
            #expect(try await count("SELECT count(*)::int FROM events", database) == 5)
            #expect(try await count("SELECT count(*)::int FROM events WHERE is_bot", database) == 1)
            #expect(try await count("SELECT coalesce(sum(count), 0)::int FROM variant_hourly", database) == 4)

            // The same batch again (a spool replayed after a crash): nothing is stored twice.
            _ = try await EventIngestor.record(hits, database: database, deduplicator: deduplicator)
            #expect(try await count("SELECT count(*)::int FROM events", database) == 5)
            #expect(try await count("SELECT coalesce(sum(count), 0)::int FROM variant_hourly", database) == 4)

            // A later batch sees the earlier one's windows: 72 is within 71's, 102 is not.
            #expect(try await EventIngestor.record([hit(72), hit(102)], database: database, deduplicator: deduplicator) == [false, true])

            // A hit kept by its hash (the day's salt known when answered) is the same client as one kept by its address.
            let link = "click:\(target.publication!.uuidString)"
            let salted = deduplicator.client(link: link, client: "198.51.100.7", userAgent: Self.agent, at: start + 110)
            guard case .salted = salted else {
                Issue.record("the day's salt is known after a batch, so the client is kept as a hash: \(salted)")
                return
            }
            let again = TrackingHit(target: target, kind: .click, at: start + 110, isBot: false, client: salted)
            #expect(try await EventIngestor.record([again], database: database, deduplicator: deduplicator) == [false])
            #expect(try await count("SELECT count(*)::int FROM events", database) == 6)
            // No address is stored.
            #expect(try await count("SELECT count(*)::int FROM tracking_hits WHERE length(hash) <> 32", database) == 0)
        }
    }

    @Test func hitsAnsweredWithoutDeduplicationAllCount() async throws {
        try await EventChannelTests().withFixture { (fixture: EventChannelTests.Fixture) async throws in
            let target = try #require(try await PublicationStore(fixture.database).tracking(code: fixture.publication("B/email").trackingCode))
            let hits = (0..<3).map { _ in TrackingHit(target: target, kind: .impression, at: Date(), isBot: false, client: .unknown) }
            let deduplicator = TrackingDeduplicator(fixture.database, window: .seconds(30))
            #expect(try await EventIngestor.record(hits, database: fixture.database, deduplicator: deduplicator) == [true, true, true])
            #expect(try await count("SELECT count(*)::int FROM events WHERE kind = 'impression' AND channel = 'email'", fixture.database) == 3)
        }
    }
}
