import HeraldCore
import PostgresNIO

extension BenchFixtures {
    /// How many events of `kind` the bench database holds (bots' included).
    public func events(of kind: EventKind) async throws -> Int {
        let rows = try await database.client.query("SELECT count(*)::int FROM events WHERE kind = \(kind.rawValue)", logger: database.logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}
