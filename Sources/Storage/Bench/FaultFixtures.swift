import Foundation
import PostgresNIO

/// What `herald bench faults` counts in the database after each fault: jobs by outcome, who holds running jobs, events
/// and clicks stored, publications by state. Reads only; the suite's own database.
public struct FaultFixtures: Sendable {
    let database: Database

    public init(_ database: Database) {
        self.database = database
    }

    /// Jobs by outcome: finished once (`completed`, one history row per job), re-run (completed after more than one
    /// attempt), and still open (`pending`, `running`, `dead`).
    public struct JobCounts: Sendable, Equatable {
        public var completed = 0
        public var completedAfterRetry = 0
        public var pending = 0
        public var running = 0
        public var dead = 0
    }

    /// Jobs of `kinds` by outcome.
    public func jobCounts(kinds: [String]) async throws -> JobCounts {
        var counts = JobCounts()
        let done = try await database.client.query(
            "SELECT count(*)::int, count(*) FILTER (WHERE attempts > 1)::int FROM jobs_done WHERE kind = ANY(\(kinds))",
            logger: database.logger
        )
        for try await (completed, retried) in done.decode((Int, Int).self) {
            counts.completed = completed
            counts.completedAfterRetry = retried
        }
        let open = try await database.client.query(
            "SELECT state, count(*)::int FROM jobs WHERE kind = ANY(\(kinds)) GROUP BY state",
            logger: database.logger
        )
        for try await (state, count) in open.decode((String, Int).self) {
            switch state {
            case "pending", "failed": counts.pending += count
            case "running": counts.running += count
            case "completed": counts.completed += count
            default: counts.dead += count
            }
        }
        return counts
    }

    /// Running jobs whose lease names `worker` (a `herald worker`'s id is `host:pid`).
    public func runningJobs(lockedBy worker: String) async throws -> Int {
        let rows = try await database.client.query(
            "SELECT count(*)::int FROM jobs WHERE state = 'running' AND locked_by = \(worker)",
            logger: database.logger
        )
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    /// Events of `campaign` stored, all kinds, and how many distinct ids among them.
    public func storedEvents(campaign: UUID) async throws -> (rows: Int, distinct: Int) {
        let rows = try await database.client.query(
            "SELECT count(*)::int, count(DISTINCT id)::int FROM events WHERE campaign_id = \(campaign)",
            logger: database.logger
        )
        for try await (count, distinct) in rows.decode((Int, Int).self) { return (count, distinct) }
        return (0, 0)
    }

    /// Events of `kind` stored for `campaign` (bots included).
    public func storedEvents(campaign: UUID, kind: String) async throws -> Int {
        let rows = try await database.client.query(
            "SELECT count(*)::int FROM events WHERE campaign_id = \(campaign) AND kind = \(kind)",
            logger: database.logger
        )
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    /// Session-level advisory locks held now: each running worker holds one (its rescue lock), so this counts the
    /// workers that are connected and working.
    public func heldSessionLocks() async throws -> Int {
        let rows = try await database.client.query(
            "SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1 AND granted",
            logger: database.logger
        )
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    /// Publications of `campaigns` by state.
    public func publicationStates(campaigns: [UUID]) async throws -> [String: Int] {
        let rows = try await database.client.query(
            "SELECT status, count(*)::int FROM publications WHERE campaign_id = ANY(\(campaigns)) GROUP BY status",
            logger: database.logger
        )
        var states: [String: Int] = [:]
        for try await (state, count) in rows.decode((String, Int).self) { states[state] = count }
        return states
    }

    /// Enqueue-to-start lags (ms) of the completed jobs of `kind` that were due at or after `since`.
    public func startLags(kind: String, since: Date) async throws -> [Double] {
        let rows = try await database.client.query(
            """
            SELECT (extract(epoch FROM (started_at - greatest(run_at, created_at))) * 1000)::float8 FROM jobs_done
            WHERE kind = \(kind) AND run_at >= \(since) AND started_at IS NOT NULL
            """,
            logger: database.logger
        )
        var lags: [Double] = []
        for try await lag in rows.decode(Double.self) { lags.append(lag) }
        return lags
    }
}
