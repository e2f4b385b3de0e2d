import Foundation
import Logging
import PostgresNIO

/// The completion of one claimed job, written in the same transaction as the job's effect in the database, so the two
/// commit together: a worker killed before the commit leaves neither (the rescued job does the work once, later), and
/// after it both (nothing is redone).
///
/// A handler gets one from its context and passes it to the store write that is its effect (e.g.
/// `JobQueue.recordProbe(_:worker:now:completing:)`, `AnalysisStore.insert(...completing:)`). The write first
/// completes the job where it is still the worker's (same `locked_by`, same attempt, still running), which also locks
/// its row against a concurrent rescue; when it no longer is, the write throws ``JobNoLongerHeld`` and the effect is
/// rolled back, since the job's new run will make it.
public struct JobCompletion: Sendable {
    /// The job being completed.
    public let job: ClaimedJob
    /// The worker that holds it.
    public let worker: String
    /// When it finished (the clock's time).
    public let finishedAt: Date
    /// Called once the transaction that completed the job has committed.
    let committed: @Sendable () -> Void

    /// - Parameter committed: Called once the completion has committed (the worker then does not complete it again).
    public init(job: ClaimedJob, worker: String, finishedAt: Date, committed: @escaping @Sendable () -> Void = {}) {
        self.job = job
        self.worker = worker
        self.finishedAt = finishedAt
        self.committed = committed
    }

    /// Completes the job on `connection` (inside the caller's transaction): its row moves from `jobs` to `jobs_done`.
    ///
    /// - Throws: ``JobNoLongerHeld`` when the job is no longer the worker's.
    func write(on connection: PostgresConnection, logger: Logger) async throws {
        let rows = try await connection.query(
            """
            WITH finished AS (
                DELETE FROM jobs
                WHERE id = \(job.id) AND attempts = \(job.attempt) AND locked_by = \(worker) AND state = 'running'
                RETURNING id, workspace_id, queue, kind, priority, attempts, max_attempts, unique_key, last_error,
                          run_at, created_at, started_at
            ), archived AS (
                INSERT INTO jobs_done (id, workspace_id, queue, kind, priority, attempts, max_attempts, unique_key, last_error,
                                       run_at, created_at, started_at, finished_at)
                SELECT id, workspace_id, queue, kind, priority, attempts, max_attempts, unique_key, last_error,
                       run_at, created_at, started_at, \(finishedAt)
                FROM finished
                RETURNING 1
            )
            SELECT count(*)::int FROM archived
            """,
            logger: logger
        )
        var completed = 0
        for try await count in rows.decode(Int.self) { completed = count }
        guard completed == 1 else { throw JobNoLongerHeld(job: job.id, attempt: job.attempt, worker: worker) }
    }

    /// Runs `effect` and completes the job in one transaction of `database`; with no completion, runs `effect` in a
    /// transaction of its own.
    @discardableResult
    static func run<Result: Sendable>(
        _ completion: JobCompletion?,
        in database: Database,
        _ effect: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let result = try await database.transaction { connection in
            // The job's row first: its lock keeps a rescue away while the effect is written.
            try await completion?.write(on: connection, logger: database.logger)
            return try await effect(connection)
        }
        completion?.committed()
        return result
    }
}

/// A job's completion found the job no longer the worker's: its lease was rescued (or it was cancelled) meanwhile, and
/// the effect written with it was rolled back; the job's current run makes it.
public struct JobNoLongerHeld: Error, CustomStringConvertible, Sendable {
    public var job: Int64
    public var attempt: Int
    public var worker: String

    public var description: String {
        "job \(job) (attempt \(attempt)) is no longer held by worker \(worker): it was rescued or cancelled meanwhile, "
            + "so its effect was rolled back and is left to the job's current run"
    }
}
