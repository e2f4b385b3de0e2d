import Foundation
import PostgresNIO

/// What `herald bench` does to its own database (`herald_bench`, never the user's) besides Herald's own
/// operations: emptying tables between phases, a reference table for the COPY baseline, and reading
/// back job lags.
public struct BenchFixtures: Sendable {
    let database: Database

    /// The fixtures of the bench's database.
    public init(_ database: Database) {
        self.database = database
    }

    /// Empties the event tables and their rollups.
    public func emptyEventTables() async throws {
        try await database.client.execute("TRUNCATE events, event_ids, variant_hourly", logger: database.logger)
    }

    /// Empties the job queue and its history.
    public func emptyJobTables() async throws {
        try await database.client.execute("TRUNCATE jobs, jobs_done", logger: database.logger)
    }

    /// (Re)creates `bench_copy_reference`: a bare events table with only a primary key, for the COPY reference line.
    public func createCopyReferenceTable() async throws {
        try await database.client.execute("DROP TABLE IF EXISTS bench_copy_reference", logger: database.logger)
        try await database.client.execute(
            """
            CREATE TABLE bench_copy_reference (
                id uuid PRIMARY KEY, variant_id uuid NOT NULL, kind text NOT NULL,
                occurred_at timestamptz NOT NULL, value double precision
            )
            """,
            logger: database.logger
        )
    }

    /// Drops `bench_copy_reference`.
    public func dropCopyReferenceTable() async throws {
        try await database.client.execute("DROP TABLE IF EXISTS bench_copy_reference", logger: database.logger)
    }

    /// Opens `count` of the pool's connections at once (each holds one for 50 ms), so a measurement does not
    /// pay for connecting.
    public func warmUp(connections count: Int) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<count {
                group.addTask { try await database.client.execute("SELECT pg_sleep(0.05)", logger: database.logger) }
            }
            try await group.waitForAll()
        }
    }

    /// Whether any job is pending or running (an EXISTS probe: cheap even with a large backlog).
    public func hasUnfinishedJobs() async throws -> Bool {
        let rows = try await database.client.query(
            "SELECT EXISTS (SELECT 1 FROM jobs WHERE state IN ('pending', 'running'))",
            logger: database.logger
        )
        for try await busy in rows.decode(Bool.self) { return busy }
        return false
    }

    /// Milliseconds from each completed job's due time to its start, sorted.
    public func completedJobLags() async throws -> [Double] {
        let rows = try await database.client.query(
            "SELECT extract(epoch FROM started_at - run_at)::float8 * 1000 FROM jobs_done",
            logger: database.logger
        )
        var lags: [Double] = []
        for try await lag in rows.decode(Double.self) { lags.append(lag) }
        return lags.sorted()
    }
}
