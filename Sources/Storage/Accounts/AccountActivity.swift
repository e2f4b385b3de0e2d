import Connectors
import Foundation
import HeraldCore
import PostgresNIO

/// A connected account's health as the back office shows it: its state, and its last post that went out and last
/// that failed (never its credentials). One query for all of a workspace's accounts.
public struct AccountActivity: Sendable, Equatable {
    public var id: UUID
    public var name: String
    /// The account's kind (`mastodon`, `x`, ...).
    public var kind: String
    public var handle: String?
    /// `ok`, `rate_limited` or `needs_reconnect`.
    public var health: String
    public var reason: String?
    public var rateLimitedUntil: Date?
    /// When a post last went out through it.
    public var lastSuccess: Date?
    /// When a post through it last failed, and the platform's error.
    public var lastFailure: Date?
    public var lastError: String?

    /// The workspace's accounts, by name, with their last success and failure.
    public static func list(_ database: Database, workspace: WorkspaceID) async throws -> [AccountActivity] {
        let rows = try await database.client.query(
            """
            SELECT a.id, a.name, a.kind, a.handle, a.health, a.health_reason, a.rate_limited_until,
                   (SELECT max(p.published_at) FROM publications p WHERE p.account_id = a.id AND p.status = 'published'),
                   f.scheduled_at, f.error
            FROM accounts a
            LEFT JOIN LATERAL (
                SELECT p.scheduled_at, p.error FROM publications p
                WHERE p.account_id = a.id AND p.status = 'failed' ORDER BY p.scheduled_at DESC LIMIT 1
            ) f ON true
            WHERE a.workspace_id = \(workspace.uuid)
            ORDER BY a.name
            """,
            logger: database.logger
        )
        var accounts: [AccountActivity] = []
        for try await (id, name, kind, handle, health, reason, until, success, failure, error) in rows.decode(
            (UUID, String, String, String?, String, String?, Date?, Date?, Date?, String?).self
        ) {
            accounts.append(
                AccountActivity(
                    id: id,
                    name: name,
                    kind: kind,
                    handle: handle,
                    health: health,
                    reason: reason,
                    rateLimitedUntil: until,
                    lastSuccess: success,
                    lastFailure: failure,
                    lastError: error
                )
            )
        }
        return accounts
    }
}

extension AccountStore {
    /// When the account's access token expires, as the platform said when it was issued or last refreshed (nil when it
    /// did not say). Opens the sealed credentials and hands back only that date: never a credential.
    ///
    /// - Throws: ``NotFoundError``; ``SecretError`` when the credentials do not open under this server's key.
    public func tokenExpiry(_ id: UUID) async throws -> Date? {
        try await connected(id).credentials.expiresAt
    }
}
