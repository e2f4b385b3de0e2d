import Foundation
import HeraldCore
import PostgresNIO

extension JobQueue {
    /// What one ``completeAndClaim(_:queues:limit:worker:lease:now:)`` round trip did.
    public struct Exchange: Sendable, Equatable {
        /// How many of the finished jobs were still the worker's and are now completed.
        public var completed: Int
        /// The newly claimed jobs, in id order.
        public var claimed: [ClaimedJob]
    }

    /// Completes the worker's finished jobs and claims the next ones in one statement (one round trip, one commit).
    ///
    /// A finished job is completed only while it is still the worker's (same `locked_by`, same attempt,
    /// still running): its row moves from `jobs` to `jobs_done`. Then up to `limit` due jobs of `queues`
    /// are claimed with `FOR UPDATE SKIP LOCKED` and a lease of `lease` seconds.
    ///
    /// - Parameters:
    ///   - finished: Jobs the worker ran to the end; may be empty.
    ///   - queues: The queues to claim from.
    ///   - limit: Most jobs to claim; 0 only completes.
    ///   - worker: The worker's id, as written into `locked_by`.
    ///   - lease: Seconds (clock time) the claimed jobs are the worker's without a heartbeat.
    ///   - now: The clock's time: due means `run_at <= now`.
    ///   - ownerLock: The key of the session advisory lock the worker holds (``holdSessionLock(_:checkEvery:whileHeld:)``), written
    ///     into the claimed jobs so they are rescued as soon as that lock is gone; nil: rescued by their lease only.
    public func completeAndClaim(
        _ finished: [ClaimedJob],
        queues: [String],
        limit: Int,
        worker: String,
        lease: TimeInterval,
        now: Date,
        ownerLock: Int64? = nil
    ) async throws -> Exchange {
        let statement = CompleteAndClaim(
            ids: finished.map(\.id),
            attempts: finished.map(\.attempt),
            worker: worker,
            now: now,
            queues: queues,
            limit: limit,
            until: now.addingTimeInterval(lease),
            ownerLock: ownerLock
        )
        var exchange = Exchange(completed: 0, claimed: [])
        for try await (completed, claimed) in try await database.client.execute(statement, logger: database.logger) {
            exchange.completed = completed
            if let claimed { exchange.claimed.append(claimed) }
        }
        exchange.claimed.sort { $0.id < $1.id }
        return exchange
    }
}

/// The worker's one round trip: complete what it finished, claim what is due.
///
/// A prepared statement (parsed and planned once per connection), because workers run it back to back;
/// every value is a bound parameter. Its result is one row per claimed job, or one row with no job,
/// each carrying the number of completions.
struct CompleteAndClaim: PostgresPreparedStatement {
    static let name = "herald_jobs_complete_and_claim_v2"

    static let sql = """
        WITH finished AS (
            DELETE FROM jobs
            USING unnest($1::bigint[], $2::int[]) AS held (id, attempt)
            WHERE jobs.id = ANY($1::bigint[])  -- primary-key lookups, whatever the statistics say
              AND jobs.id = held.id AND jobs.attempts = held.attempt AND jobs.locked_by = $3 AND jobs.state = 'running'
            RETURNING jobs.id, jobs.workspace_id, jobs.queue, jobs.kind, jobs.priority, jobs.attempts, jobs.max_attempts,
                      jobs.unique_key, jobs.last_error, jobs.run_at, jobs.created_at, jobs.started_at
        ), archived AS (
            INSERT INTO jobs_done (id, workspace_id, queue, kind, priority, attempts, max_attempts, unique_key, last_error,
                                   run_at, created_at, started_at, finished_at)
            SELECT id, workspace_id, queue, kind, priority, attempts, max_attempts, unique_key, last_error,
                   run_at, created_at, started_at, $4
            FROM finished
            RETURNING 1
        ), next AS (
            -- One ordered scan of jobs_claim_idx per queue, stopping after `limit` rows: `queue = ANY(...)`
            -- would read and sort every pending job on each claim.
            SELECT c.id FROM unnest($5::text[]) AS q (name)
            CROSS JOIN LATERAL (
                SELECT id, priority, run_at FROM jobs
                WHERE state = 'pending' AND queue = q.name AND run_at <= $4
                ORDER BY priority DESC, run_at, id
                LIMIT $6
                FOR UPDATE SKIP LOCKED
            ) c
            ORDER BY c.priority DESC, c.run_at, c.id
            LIMIT $6
        ), claimed AS (
            UPDATE jobs j
            SET state = 'running', attempts = j.attempts + 1, locked_by = $3, locked_until = $7, started_at = $4, owner_lock = $8
            WHERE j.id = ANY(ARRAY(SELECT id FROM next))  -- not a join: a hash join would read the whole table
            RETURNING j.id, j.kind, j.queue, j.payload::text AS payload, j.attempts, j.max_attempts, j.run_at, j.workspace_id
        )
        SELECT (SELECT count(*) FROM archived)::int, c.id, c.kind, c.queue, c.payload, c.attempts, c.max_attempts, c.run_at, c.workspace_id
        FROM (VALUES (1)) AS one (x) LEFT JOIN claimed c ON true
        """

    var ids: [Int64]
    var attempts: [Int]
    var worker: String
    var now: Date
    var queues: [String]
    var limit: Int
    var until: Date
    var ownerLock: Int64?

    static var bindingDataTypes: [PostgresDataType] { [.int8Array, .int4Array, .text, .timestamptz, .textArray, .int4, .timestamptz, .int8] }

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 8)
        bindings.append(ids)
        bindings.append(attempts.map { Int32($0) })
        bindings.append(worker)
        bindings.append(now)
        bindings.append(queues)
        bindings.append(Int32(limit))
        bindings.append(until)
        if let ownerLock { bindings.append(ownerLock) } else { bindings.appendNull() }
        return bindings
    }

    /// Decodes cell by cell with concrete types: the tuple form goes through generic metadata at run time
    /// for every row, which showed up in profiles of a worker draining no-op jobs.
    func decodeRow(_ row: PostgresRow) throws -> (Int, ClaimedJob?) {
        let cells = row.makeRandomAccess()
        let completed = try cells[0].decode(Int.self)
        guard let id = try cells[1].decode(Int64?.self) else { return (completed, nil) }
        let job = ClaimedJob(
            id: id,
            kind: try cells[2].decode(String.self),
            queue: try cells[3].decode(String.self),
            payload: try cells[4].decode(String.self),
            attempt: try cells[5].decode(Int.self),
            maxAttempts: try cells[6].decode(Int.self),
            runAt: try cells[7].decode(Date.self),
            workspace: try cells[8].decode(UUID?.self).map(WorkspaceID.init)
        )
        return (completed, job)
    }
}
