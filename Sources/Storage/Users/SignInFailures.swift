import Foundation
import HeraldCore
import PostgresNIO

/// Failed sign-ins per account and per client address, in PostgreSQL so that every `herald serve` process counts the
/// same attempts.
public struct SignInFailures: Sendable {
    let database: Database

    public init(_ database: Database) {
        self.database = database
    }

    /// The subject under which an account's failures are counted.
    public static func account(_ email: String) -> String {
        "account:" + ((try? UserStore.normalized(email: email)) ?? email.lowercased())
    }

    /// The subject under which a client address's failures are counted.
    public static func address(_ address: String) -> String { "address:" + address }

    /// When `subject` may try again: nil when it has had fewer than `limit` failures within `window`, else the
    /// seconds until its oldest counted failure leaves the window (at least 1).
    public func retryAfter(_ subject: String, limit: Int, window: Duration) async throws -> Int? {
        let seconds = Double(window.components.seconds)
        let rows = try await database.client.query(
            """
            SELECT count(*)::int, coalesce(ceil(extract(epoch FROM min(failed_at) + make_interval(secs => \(seconds)) - now())), 0)::int
            FROM (SELECT failed_at FROM sign_in_failures
                  WHERE subject = \(subject) AND failed_at > now() - make_interval(secs => \(seconds))
                  ORDER BY failed_at DESC LIMIT \(limit)) recent
            """,
            logger: database.logger
        )
        for try await (count, wait) in rows.decode((Int, Int).self) where count >= limit {
            return max(wait, 1)
        }
        return nil
    }

    /// Records a failed attempt under each subject, and forgets failures older than `window`.
    public func record(_ subjects: [String], window: Duration) async throws {
        let seconds = Double(window.components.seconds)
        try await database.client.query(
            "INSERT INTO sign_in_failures (subject) SELECT unnest(\(subjects)::text[])",
            logger: database.logger
        )
        try await database.client.query(
            "DELETE FROM sign_in_failures WHERE failed_at < now() - make_interval(secs => \(seconds))",
            logger: database.logger
        )
    }

    /// Forgets the failures of `subject` (an account that signed in).
    public func clear(_ subject: String) async throws {
        try await database.client.query("DELETE FROM sign_in_failures WHERE subject = \(subject)", logger: database.logger)
    }
}
