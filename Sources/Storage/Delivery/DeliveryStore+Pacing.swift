import Foundation
import HeraldCore
import PostgresNIO

extension DeliveryStore {
    /// Whether a worker may send to an account now.
    public enum SenderGrant: Sendable, Equatable {
        /// This worker is the account's sender until it releases (or its lease expires), and took one post's token.
        case granted
        /// Not now: try again at `until`, for `reason` (the platform's rate limit, or the account's pace).
        case wait(until: Date, reason: String)
        /// Another worker is sending to this account now: try again in a moment (its lease ends at `until` at the latest).
        case busy(until: Date)
        /// The account needs reconnecting: nothing is sent until a person reconnects it.
        case needsReconnect(reason: String)
    }

    /// Takes the account's sender lease and one token of its bucket, or says how long to wait: one sender per account
    /// at a time (across workers and machines), posts paced by a token bucket (`pace_per_hour`, `pace_burst`), nothing
    /// while the platform's rate limit has not reset, and nothing while the account needs reconnecting.
    ///
    /// - Parameters:
    ///   - worker: Who sends: the worker and the job (`<worker>#<job id>`). A job run again after its worker died takes
    ///     over its own earlier lease at once, rather than waiting for it to expire.
    ///   - lease: How long the lease holds if the worker dies before releasing it.
    public func acquireSender(account: UUID, worker: String, now: Date, lease: TimeInterval = 60) async throws -> SenderGrant {
        try await database.transaction { connection in
            let rows = try await connection.query(
                """
                SELECT health, health_reason, rate_limited_until, send_lease_by, send_lease_until, pace_per_hour, pace_burst,
                       bucket_tokens, bucket_at
                FROM accounts WHERE id = \(account) FOR UPDATE
                """,
                logger: database.logger
            )
            var found: (String, String?, Date?, String?, Date?, Double, Double, Double, Date)?
            for try await row in rows.decode((String, String?, Date?, String?, Date?, Double, Double, Double, Date).self) { found = row }
            guard let (health, reason, limitedUntil, leaseBy, leaseUntil, perHour, burst, tokens, bucketAt) = found else {
                return .needsReconnect(reason: "the account was removed")
            }
            if health == "needs_reconnect" { return .needsReconnect(reason: reason ?? "the platform refused its credentials") }
            if let limitedUntil, limitedUntil > now {
                return .wait(until: limitedUntil, reason: "rate limited by the platform until \(Timestamp.format(limitedUntil))")
            }
            let sameJob = leaseBy.map { $0.split(separator: "#").last == worker.split(separator: "#").last && worker.contains("#") } ?? false
            if let leaseBy, leaseBy != worker, !sameJob, let leaseUntil, leaseUntil > now {
                return .busy(until: leaseUntil)
            }
            let available = Self.refill(tokens: tokens, at: bucketAt, now: now, perHour: perHour, burst: burst)
            guard available >= 1 else {
                let wait = (1 - available) / (perHour / 3_600)
                return .wait(until: now.addingTimeInterval(wait), reason: "paced: \(Self.describe(perHour: perHour)) for this account")
            }
            try await connection.query(
                """
                UPDATE accounts SET bucket_tokens = \(available - 1), bucket_at = \(now), send_lease_by = \(worker),
                       send_lease_until = \(now.addingTimeInterval(lease)),
                       health = CASE WHEN health = 'rate_limited' THEN 'ok' ELSE health END,
                       health_reason = CASE WHEN health = 'rate_limited' THEN NULL ELSE health_reason END,
                       rate_limited_until = NULL
                WHERE id = \(account)
                """,
                logger: database.logger
            )
            return .granted
        }
    }

    /// Gives the account's sender lease back (only this worker's).
    public func releaseSender(account: UUID, worker: String) async throws {
        try await database.client.query(
            "UPDATE accounts SET send_lease_by = NULL, send_lease_until = NULL WHERE id = \(account) AND send_lease_by = \(worker)",
            logger: database.logger
        )
    }

    /// The tokens in a bucket at `now`: refilled at `perHour` since `at`, at most `burst`.
    ///
    /// ```swift
    /// DeliveryStore.refill(tokens: 0, at: t, now: t + 1_800, perHour: 4, burst: 10)   // 2
    /// ```
    static func refill(tokens: Double, at: Date, now: Date, perHour: Double, burst: Double) -> Double {
        min(burst, tokens + max(0, now.timeIntervalSince(at)) * perHour / 3_600)
    }

    static func describe(perHour: Double) -> String {
        perHour >= 60 ? "\(Int(perHour.rounded())) posts an hour" : String(format: "%.1f posts a day", perHour * 24)
    }

    /// Wakes the publish jobs of the account's waiting publications (after it was reconnected): they run now.
    @discardableResult
    public func wakePublications(account: UUID, now: Date) async throws -> Int {
        let rows = try await database.client.query(
            """
            WITH woken AS (
                UPDATE jobs SET run_at = \(now)
                WHERE kind = 'publish' AND state = 'pending' AND run_at > \(now)
                  AND (payload->>'publication_id')::uuid IN (
                      SELECT id FROM publications WHERE account_id = \(account) AND status = 'scheduled')
                RETURNING 1
            )
            SELECT count(*)::int FROM woken
            """,
            logger: database.logger
        )
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}
