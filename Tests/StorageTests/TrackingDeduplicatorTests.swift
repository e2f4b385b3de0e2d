import Foundation
import HeraldCore
import HeraldTestSupport
import PostgresNIO
import Testing

@testable import Storage

/// Repeated tracking hits count once per window, known only by a hash under a salt that rotates daily.
struct TrackingDeduplicatorTests {
    /// The salt's day is the UTC calendar date, as Calendar says, for instants from 1600 to 2400.
    @Test func theSaltDayIsTheUTCCalendarDate() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var generator = SystemRandomNumberGenerator()
        let instants =
            (0..<5_000).map { _ in Double.random(in: -11_676_096_000...13_569_465_600, using: &generator) }
            + [0, -1, 86_399.999, 86_400, 951_782_400, 951_868_800, 4_107_542_400]
        for seconds in instants {
            let time = Date(timeIntervalSince1970: seconds)
            let parts = calendar.dateComponents([.year, .month, .day], from: time)
            let expected = String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
            #expect(TrackingDeduplicator.day(of: time) == expected, "\(seconds)")
        }
    }

    static let noon = Date(timeIntervalSince1970: 1_780_000_000)  // 2026-05-28 20:26:40 UTC
    static let agent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"

    func count(_ sql: String, _ database: Database) async throws -> Int {
        let rows = try await database.client.query(.init(unsafeSQL: sql), logger: database.logger)
        for try await value in rows.decode(Int.self) { return value }
        return -1
    }

    @Test func aHitCountsOncePerWindowWithTheClockInjected() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let deduplicator = TrackingDeduplicator(database, window: .seconds(30))
            func counts(
                _ offset: TimeInterval,
                link: String = "link-1",
                client: String = "198.51.100.7",
                agent: String = Self.agent
            ) async throws -> Bool {
                try await deduplicator.counts(link: link, workspace: workspace, client: client, userAgent: agent, at: Self.noon + offset)
            }
            #expect(try await counts(0))
            for offset in stride(from: 1.0, through: 29.0, by: 4) { #expect(try await !counts(offset)) }
            #expect(try await counts(1, link: "link-2"))
            #expect(try await counts(2, client: "198.51.100.8"))
            #expect(try await counts(3, agent: "Mozilla/5.0 (iPhone) Safari/605.1.15"))
            // The window runs from the hit that counted; duplicates within it do not extend it.
            #expect(try await counts(30))
            #expect(try await !counts(59))
            #expect(try await counts(61))
        }
    }

    @Test func concurrentIdenticalHitsCountExactlyOnce() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let deduplicator = TrackingDeduplicator(database, window: .seconds(30))
            _ = try await deduplicator.counts(link: "warm", workspace: workspace, client: "x", userAgent: "", at: Self.noon)
            let counted = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<24 {
                    group.addTask {
                        try await deduplicator.counts(link: "link", workspace: workspace, client: "203.0.113.9", userAgent: Self.agent, at: Self.noon)
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(counted == 1)
        }
    }

    @Test func theSaltRotatesDailyAndExpiredHitsArePruned() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let deduplicator = TrackingDeduplicator(database, window: .seconds(30))
            // A salt seen through the hash it gives.
            func salt(_ deduplicator: TrackingDeduplicator, at time: Date) async throws -> [UInt8] {
                TrackingDeduplicator.hash(link: "l", client: "198.51.100.7", userAgent: Self.agent, salt: try await deduplicator.salt(at: time))
            }
            let today = try await salt(deduplicator, at: Self.noon)
            #expect(try await salt(deduplicator, at: Self.noon + 60) == today)
            #expect(try await deduplicator.counts(link: "l", workspace: workspace, client: "198.51.100.7", userAgent: Self.agent, at: Self.noon))
            let tomorrow = Self.noon + 86_400
            // Another process (a fresh deduplicator) gets the same salt of the day from the database.
            let other = TrackingDeduplicator(database, window: .seconds(30))
            let next = try await salt(other, at: tomorrow)
            #expect(next != today)
            #expect(try await salt(deduplicator, at: tomorrow) == next)
            // Only today's salt is kept: yesterday's hashes cannot be recomputed from an address.
            #expect(try await count("SELECT count(*)::int FROM tracking_salts", database) == 1)
            #expect(try await count("SELECT count(*)::int FROM tracking_salts WHERE day = '2026-05-29'", database) == 1)
            // The next hit prunes expired rows (the first one's window ended a day ago).
            #expect(try await other.counts(link: "m", workspace: workspace, client: "198.51.100.7", userAgent: Self.agent, at: tomorrow))
            #expect(try await count("SELECT count(*)::int FROM tracking_hits", database) == 1)
        }
    }

    @Test func aZeroWindowCountsEveryHitAndStoresNothing() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let deduplicator = TrackingDeduplicator(database, window: .zero)
            for _ in 0..<3 {
                #expect(try await deduplicator.counts(link: "l", workspace: workspace, client: "198.51.100.7", userAgent: Self.agent, at: Self.noon))
            }
            #expect(try await count("SELECT count(*)::int FROM tracking_hits", database) == 0)
            #expect(try await count("SELECT count(*)::int FROM tracking_salts", database) == 0)
        }
    }
}

extension TrackingDeduplicatorTests {
    @Test func aForgottenHitLetsTheNextOneCount() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let deduplicator = TrackingDeduplicator(database, window: .seconds(30))
            #expect(try await deduplicator.counts(link: "l", workspace: workspace, client: "198.51.100.7", userAgent: Self.agent, at: Self.noon))
            try await deduplicator.forget(link: "l", workspace: workspace, client: "198.51.100.7", userAgent: Self.agent, at: Self.noon)
            #expect(try await deduplicator.counts(link: "l", workspace: workspace, client: "198.51.100.7", userAgent: Self.agent, at: Self.noon + 1))
            #expect(try await !deduplicator.counts(link: "l", workspace: workspace, client: "198.51.100.7", userAgent: Self.agent, at: Self.noon + 2))
        }
    }
}
