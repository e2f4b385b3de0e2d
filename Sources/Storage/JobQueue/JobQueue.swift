import Foundation
import HeraldCore
import Logging
import PostgresNIO

/// The durable job queue in PostgreSQL, shared by any number of workers on any number of machines.
///
/// - Claiming takes a batch with `FOR UPDATE SKIP LOCKED`, so workers never wait on each other,
///   and gives each job a lease (`locked_until`) that the worker renews by heartbeat.
/// - Completing and failing are batched and take effect only if the job is still the worker's
///   (same `locked_by` and attempt), so a worker whose lease was rescued cannot clobber the new run.
///   A worker completes its finished jobs and claims the next batch in one statement.
/// - `jobs` holds only jobs that can still change (pending, running, dead, cancelled); a completed
///   job moves to the slim history table `jobs_done`, so the polled table and its indexes stay small.
/// - A job whose worker is gone is rescued within seconds: a worker holds a session advisory lock whose key it writes
///   into the jobs it claims, and a running job whose key no session holds any more is free at the next check
///   (``rescueOrphaned(now:limit:)``). An expired lease (a worker alive but stuck) is rescued too, as the fallback.
/// - Every time comparison uses the caller's `now`, so a fast-forwarded clock drives the queue too.
public struct JobQueue: Sendable {
    let database: Database

    /// The NOTIFY channel that wakes idle workers when jobs are enqueued.
    public static let channel = "herald_jobs"

    public init(_ database: Database) {
        self.database = database
    }

    /// Puts jobs on the queue in one statement and wakes idle workers.
    ///
    /// - Returns: How many were inserted; a request whose unique key is held by a pending or running job is skipped.
    @discardableResult
    public func enqueue(_ requests: [JobRequest]) async throws -> Int {
        guard !requests.isEmpty else { return 0 }
        try Self.check(requests)
        return try await database.client.withConnection { connection in
            try await Self.insert(requests, connection: connection, logger: database.logger)
        }
    }

    /// Checks requests before they are inserted.
    static func check(_ requests: [JobRequest]) throws {
        for request in requests {
            guard request.maxAttempts >= 1 else {
                throw ValidationError(field: "max_attempts", reason: "must be at least 1, found \(request.maxAttempts)")
            }
            guard request.uniqueKey != "" else { throw ValidationError(field: "unique_key", reason: "must not be empty") }
        }
    }

    /// Inserts checked requests on `connection` (inside the caller's transaction, if any: the jobs then exist only if
    /// it commits, and idle workers are woken at the commit) and returns how many were inserted.
    static func insert(_ requests: [JobRequest], connection: PostgresConnection, logger: Logger) async throws -> Int {
        guard !requests.isEmpty else { return 0 }
        let rows = try await connection.query(
            """
            WITH r AS (
                SELECT * FROM unnest(\(requests.map(\.kind.rawValue))::text[], \(requests.map(\.payload))::text[], \(requests.map(\.queue))::text[],
                                     \(requests.map(\.priority))::int[], \(requests.map(\.runAt))::timestamptz[],
                                     \(requests.map(\.maxAttempts))::int[], \(requests.map { $0.uniqueKey ?? "" })::text[],
                                     \(requests.map { $0.workspace?.description ?? "" })::text[])
                     AS r(kind, payload, queue, priority, run_at, max_attempts, unique_key, workspace_id)
            ), plain AS (
                -- Jobs without a unique key cannot conflict: a plain insert skips the speculative-insertion work.
                INSERT INTO jobs (kind, payload, queue, priority, run_at, max_attempts, workspace_id)
                SELECT kind, payload::jsonb, queue, priority, run_at, max_attempts, nullif(workspace_id, '')::uuid
                FROM r WHERE unique_key = ''
                RETURNING queue
            ), keyed AS (
                INSERT INTO jobs (kind, payload, queue, priority, run_at, max_attempts, unique_key, workspace_id)
                SELECT kind, payload::jsonb, queue, priority, run_at, max_attempts, unique_key, nullif(workspace_id, '')::uuid
                FROM r WHERE unique_key <> ''
                ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN ('pending', 'running') DO NOTHING
                RETURNING queue
            ), inserted AS (
                SELECT queue FROM plain UNION ALL SELECT queue FROM keyed
            )
            SELECT count(*)::int, (SELECT count(*) FROM (SELECT pg_notify(\(Self.channel), q) FROM (SELECT DISTINCT queue AS q FROM inserted) d) n)::int
            FROM inserted
            """,
            logger: logger
        )
        // Read to the end: on a transaction's connection an unread row would hold up its next statement.
        var inserted = 0
        for try await (count, _) in rows.decode((Int, Int).self) { inserted = count }
        return inserted
    }

    /// Claims up to `limit` due jobs of `queues` for `worker`, with a lease of `lease` seconds (and, with `ownerLock`, the
    /// key of the session lock the worker holds: see ``holdSessionLock(_:checkEvery:whileHeld:)``).
    public func claim(
        queues: [String],
        limit: Int,
        worker: String,
        lease: TimeInterval,
        now: Date,
        ownerLock: Int64? = nil
    ) async throws -> [ClaimedJob] {
        guard limit > 0 else { return [] }
        return try await completeAndClaim([], queues: queues, limit: limit, worker: worker, lease: lease, now: now, ownerLock: ownerLock).claimed
    }

    /// Marks jobs completed, in one statement, where they are still the worker's; returns how many were.
    ///
    /// A completed job leaves `jobs` for the history table `jobs_done` (see `sql/0004_job_throughput.sql`),
    /// so its unique key is free again at once.
    @discardableResult
    public func complete(_ jobs: [ClaimedJob], worker: String, now: Date) async throws -> Int {
        guard !jobs.isEmpty else { return 0 }
        return try await completeAndClaim(jobs, queues: [], limit: 0, worker: worker, lease: 0, now: now).completed
    }

    /// Extends the leases of jobs the worker still holds; returns how many it still holds.
    @discardableResult
    public func heartbeat(_ jobs: [ClaimedJob], worker: String, lease: TimeInterval, now: Date) async throws -> Int {
        guard !jobs.isEmpty else { return 0 }
        let rows = try await database.client.query(
            """
            WITH renewed AS (
                UPDATE jobs SET locked_until = \(now.addingTimeInterval(lease))
                FROM unnest(\(jobs.map(\.id))::bigint[], \(jobs.map(\.attempt))::int[]) AS held(id, attempt)
                WHERE jobs.id = ANY(\(jobs.map(\.id))::bigint[])
                  AND jobs.id = held.id AND jobs.attempts = held.attempt AND jobs.locked_by = \(worker) AND jobs.state = 'running'
                RETURNING 1
            )
            SELECT count(*)::int FROM renewed
            """,
            logger: database.logger
        )
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    /// Records a failed run: the job is retried at `retryAt`, or is dead when it was its last attempt
    /// (or `retryAt` is nil); the error is kept either way.
    public func fail(_ job: ClaimedJob, worker: String, error: String, retryAt: Date?, now: Date) async throws {
        let message = String(error.prefix(2_000))
        try await database.client.query(
            """
            UPDATE jobs SET
                state = CASE WHEN \(retryAt == nil) OR attempts >= max_attempts THEN 'dead' ELSE 'pending' END,
                run_at = coalesce(\(retryAt), run_at),
                finished_at = CASE WHEN \(retryAt == nil) OR attempts >= max_attempts THEN \(now) END,
                last_error = \(message), locked_by = NULL, locked_until = NULL
            WHERE id = \(job.id) AND attempts = \(job.attempt) AND locked_by = \(worker) AND state = 'running'
            """,
            logger: database.logger
        )
    }

    /// Puts a running job back to wait until `until` without using up an attempt (a platform's rate limit, an account
    /// that needs reconnecting): it is pending again, its attempt not counted, with `reason` as its last error.
    public func postpone(_ job: ClaimedJob, worker: String, until: Date, reason: String) async throws {
        try await database.client.query(
            """
            UPDATE jobs SET state = 'pending', attempts = greatest(jobs.attempts - 1, 0), run_at = \(until),
                   last_error = \(String(reason.prefix(2_000))), locked_by = NULL, locked_until = NULL
            WHERE id = \(job.id) AND attempts = \(job.attempt) AND locked_by = \(worker) AND state = 'running'
            """,
            logger: database.logger
        )
    }

    /// Gives jobs back unfinished (a worker shutting down): pending again at once, the attempt not counted.
    public func release(_ jobs: [ClaimedJob], worker: String, now: Date) async throws {
        guard !jobs.isEmpty else { return }
        try await database.client.query(
            """
            UPDATE jobs SET state = 'pending', attempts = jobs.attempts - 1, run_at = \(now), locked_by = NULL, locked_until = NULL
            FROM unnest(\(jobs.map(\.id))::bigint[], \(jobs.map(\.attempt))::int[]) AS held(id, attempt)
            WHERE jobs.id = ANY(\(jobs.map(\.id))::bigint[])
              AND jobs.id = held.id AND jobs.attempts = held.attempt AND jobs.locked_by = \(worker) AND jobs.state = 'running'
            """,
            logger: database.logger
        )
    }

    /// Returns jobs whose lease expired (their worker died or hung) to the queue, or to `dead` after the last attempt.
    @discardableResult
    public func rescueExpired(now: Date, limit: Int = 1_000) async throws -> Int {
        let rows = try await database.client.query(
            """
            WITH expired AS (
                SELECT id FROM jobs WHERE state = 'running' AND locked_until < \(now)
                ORDER BY locked_until LIMIT \(limit) FOR UPDATE SKIP LOCKED
            ), rescued AS (
                UPDATE jobs SET
                    state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'pending' END,
                    finished_at = CASE WHEN attempts >= max_attempts THEN \(now) END,
                    run_at = \(now),
                    last_error = 'lease expired: worker ' || coalesce(locked_by, '?') || ' stopped renewing it',
                    locked_by = NULL, locked_until = NULL, owner_lock = NULL
                FROM expired WHERE jobs.id = expired.id
                RETURNING 1
            )
            SELECT count(*)::int FROM rescued
            """,
            logger: database.logger
        )
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    /// Cancels a pending or running job; returns whether it did.
    public func cancel(_ id: Int64, now: Date) async throws -> Bool {
        let rows = try await database.client.query(
            """
            UPDATE jobs SET state = 'cancelled', finished_at = \(now), locked_by = NULL, locked_until = NULL
            WHERE id = \(id) AND state IN ('pending', 'running') RETURNING id
            """,
            logger: database.logger
        )
        for try await _ in rows.decode(Int64.self) { return true }
        return false
    }

    /// Makes a pending, dead, failed or cancelled job due now with a fresh set of attempts; returns whether it did.
    public func retryNow(_ id: Int64, now: Date) async throws -> Bool {
        let rows = try await database.client.query(
            """
            UPDATE jobs SET state = 'pending', run_at = \(now), attempts = 0, finished_at = NULL, locked_by = NULL, locked_until = NULL
            WHERE id = \(id) AND state IN ('pending', 'dead', 'failed', 'cancelled') RETURNING id
            """,
            logger: database.logger
        )
        for try await _ in rows.decode(Int64.self) { return true }
        return false
    }

    /// Deletes finished jobs (completed ones in `jobs_done`, dead and cancelled ones in `jobs`) older than `cutoff`; returns how many.
    @discardableResult
    public func prune(finishedBefore cutoff: Date) async throws -> Int {
        let rows = try await database.client.query(
            """
            WITH gone AS (
                DELETE FROM jobs WHERE state IN ('cancelled', 'dead') AND finished_at < \(cutoff) RETURNING 1
            ), gone_done AS (
                DELETE FROM jobs_done WHERE finished_at < \(cutoff) RETURNING 1
            )
            SELECT ((SELECT count(*) FROM gone) + (SELECT count(*) FROM gone_done))::int
            """,
            logger: database.logger
        )
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    /// Jobs, newest first, optionally of one state; completed jobs come from the history (`jobs_done`).
    public func list(state: JobState? = nil, limit: Int = 50) async throws -> [JobRecord] {
        let rows = try await database.client.query(
            """
            (SELECT id, kind, queue, state, priority, attempts, max_attempts, run_at, locked_by, locked_until,
                    last_error, unique_key, created_at, finished_at
             FROM jobs WHERE (\(state?.rawValue)::text IS NULL OR state = \(state?.rawValue))
             ORDER BY id DESC LIMIT \(limit))
            UNION ALL
            (SELECT id, kind, queue, 'completed', priority, attempts, max_attempts, run_at, NULL, NULL,
                    last_error, unique_key, created_at, finished_at
             FROM jobs_done WHERE (\(state?.rawValue)::text IS NULL OR \(state?.rawValue) = 'completed')
             ORDER BY id DESC LIMIT \(limit))
            ORDER BY id DESC LIMIT \(limit)
            """,
            logger: database.logger
        )
        var records: [JobRecord] = []
        for try await row in rows.decode(
            (Int64, String, String, String, Int, Int, Int, Date, String?, Date?, String?, String?, Date, Date?).self
        ) {
            records.append(
                JobRecord(
                    id: row.0,
                    kind: row.1,
                    queue: row.2,
                    state: row.3,
                    priority: row.4,
                    attempts: row.5,
                    maxAttempts: row.6,
                    runAt: row.7,
                    lockedBy: row.8,
                    lockedUntil: row.9,
                    lastError: row.10,
                    uniqueKey: row.11,
                    createdAt: row.12,
                    finishedAt: row.13
                )
            )
        }
        return records
    }

    /// Counts of jobs per kind and state, and the oldest due pending job's wait.
    public struct Stats: Sendable, Codable, Equatable {
        public var counts: [String: [String: Int]]
        public var oldestPendingSeconds: Double?

        enum CodingKeys: String, CodingKey {
            case counts
            case oldestPendingSeconds = "oldest_pending_seconds"
        }
    }

    /// Counts jobs per kind and state (completed ones from the history) and the oldest due pending job's wait at `now`.
    public func stats(now: Date) async throws -> Stats {
        let rows = try await database.client.query(
            """
            SELECT kind, state, count(*)::int FROM jobs GROUP BY kind, state
            UNION ALL
            SELECT kind, 'completed', count(*)::int FROM jobs_done GROUP BY kind
            """,
            logger: database.logger
        )
        var counts: [String: [String: Int]] = [:]
        for try await (kind, state, count) in rows.decode((String, String, Int).self) {
            counts[kind, default: [:]][state] = count
        }
        let oldest = try await database.client.query(
            "SELECT min(run_at) FROM jobs WHERE state = 'pending' AND run_at <= \(now)",
            logger: database.logger
        )
        var wait: Double?
        for try await runAt in oldest.decode(Date?.self) { wait = runAt.map { now.timeIntervalSince($0) } }
        return Stats(counts: counts, oldestPendingSeconds: wait)
    }
}

extension JobQueue {
    /// Records one execution of a `probe` job (which job, which attempt, which worker, when); with `completing`, in one
    /// transaction with the job's completion, so a completed probe job has exactly one record.
    public func recordProbe(_ job: ClaimedJob, worker: String, now: Date, completing: JobCompletion? = nil) async throws {
        try await JobCompletion.run(completing, in: database) { connection in
            try await connection.execute(
                "INSERT INTO job_probes (job_id, attempt, worker, ran_at) VALUES (\(job.id), \(job.attempt), \(worker), \(now))",
                logger: database.logger
            )
        }
    }
}
