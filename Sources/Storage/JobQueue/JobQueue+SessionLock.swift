import Foundation
import Logging
import PostgresNIO

extension JobQueue {
    /// Holds the session advisory lock `key` on a connection of its own until cancelled, calling `whileHeld` once it is
    /// taken; then unlocks it and gives the connection back.
    ///
    /// A worker holds one for as long as it lives and writes its key into the jobs it claims
    /// (``completeAndClaim(_:queues:limit:worker:lease:now:ownerLock:)``): when the worker dies, PostgreSQL ends its
    /// session and drops the lock, and ``rescueOrphaned(now:limit:)`` frees its jobs at the next check.
    ///
    /// - Parameters:
    ///   - key: The lock's key; random per worker (a collision with another lock is then out of reach).
    ///   - checkEvery: How often the connection is checked (wall time): a lost connection ends the call with its error.
    ///   - whileHeld: Called once the lock is held.
    /// - Throws: the connection's error when it is lost or the lock cannot be taken (the caller takes it again).
    public func holdSessionLock(_ key: Int64, checkEvery: Duration = .seconds(2), whileHeld: @Sendable () -> Void) async throws {
        try await database.client.withConnection { connection in
            let rows = try await connection.query("SELECT pg_try_advisory_lock(\(key))", logger: database.logger)
            var taken = false
            for try await value in rows.decode(Bool.self) { taken = value }
            guard taken else { throw StorageError("session lock \(key) is held by another session; pick another key") }
            whileHeld()
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: checkEvery)
                } catch {
                    break
                }
                try await connection.query("SELECT 1", logger: database.logger)
            }
            // Given back to the pool: the lock must not outlive the worker on a pooled session.
            try await connection.query("SELECT pg_advisory_unlock(\(key))", logger: database.logger)
        }
    }

    /// Frees running jobs whose owner's session lock is gone (the worker was killed, crashed or lost its connection):
    /// they run again (or are dead after their last attempt), without waiting for their lease. Jobs claimed without a
    /// lock key are left to ``rescueExpired(now:limit:)``.
    ///
    /// - Returns: How many jobs were freed.
    @discardableResult
    public func rescueOrphaned(now: Date, limit: Int = 1_000) async throws -> Int {
        let rows = try await database.client.query(
            """
            WITH held AS (
                -- A bigint advisory key is split into classid (high half) and objid (low half), with objsubid 1.
                SELECT (classid::bigint << 32) | objid::bigint AS key FROM pg_locks
                WHERE locktype = 'advisory' AND objsubid = 1 AND granted
                  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            ), orphaned AS (
                SELECT id FROM jobs
                WHERE state = 'running' AND owner_lock IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM held WHERE held.key = jobs.owner_lock)
                ORDER BY id LIMIT \(limit) FOR UPDATE SKIP LOCKED
            ), rescued AS (
                UPDATE jobs SET
                    state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'pending' END,
                    finished_at = CASE WHEN attempts >= max_attempts THEN \(now) END,
                    run_at = \(now),
                    last_error = 'worker ' || coalesce(locked_by, '?') || ' is gone (its session ended) while it ran the job',
                    locked_by = NULL, locked_until = NULL, owner_lock = NULL
                FROM orphaned WHERE jobs.id = orphaned.id
                RETURNING 1
            )
            SELECT count(*)::int FROM rescued
            """,
            logger: database.logger
        )
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}
