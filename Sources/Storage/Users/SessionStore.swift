import Foundation
import HeraldCore
import NIOCore
import PostgresNIO

/// A signed-in person's session, as a request sees it.
public struct WebSession: Sendable, Equatable {
    public var id: UUID
    public var user: StoredUser
    public var workspaceSlug: String
    /// The secret every form of the session carries (its hidden `csrf` field).
    public var csrfSecret: String
}

/// Back-office sessions, stored in PostgreSQL so that any `herald serve` process knows them. The cookie's secret is
/// stored as its SHA-256 only; a session ends when signed out, after `idle` without a request, or at its absolute end.
public struct SessionStore: Sendable {
    let database: Database
    /// How long a session lasts without a request.
    public let idle: Duration

    public init(_ database: Database, idle: Duration) {
        self.database = database
        self.idle = idle
    }

    /// Starts a session for `user`, ending at the latest after `lifetime`; returns the cookie's secret and the session.
    public func start(user: StoredUser, lifetime: Duration) async throws -> (secret: String, session: WebSession) {
        let token = SecretToken()
        let csrf = SecretToken().secret
        let rows = try await database.client.query(
            """
            INSERT INTO web_sessions (workspace_id, user_id, token_hash, csrf_secret, expires_at)
            VALUES (\(user.workspace.uuid), \(user.id), \(token.hash), \(csrf),
                    now() + make_interval(secs => \(Double(lifetime.components.seconds))))
            RETURNING id, (SELECT slug FROM workspaces WHERE id = \(user.workspace.uuid))
            """,
            logger: database.logger
        )
        for try await (id, slug) in rows.decode((UUID, String).self) {
            return (token.secret, WebSession(id: id, user: user, workspaceSlug: slug, csrfSecret: csrf))
        }
        throw StorageError("starting a session returned no row")
    }

    /// The live session of a cookie's secret (not ended, not idle too long, not past its end, its person still
    /// enabled), marking it seen; nil otherwise.
    public func session(_ secret: String) async throws -> WebSession? {
        guard SecretToken.isWellFormed(secret) else { return nil }
        let idleSeconds = Double(idle.components.seconds)
        // `last_seen_at` is written at most once a minute per session, so a page's requests do not queue on its row.
        let rows = try await database.client.query(
            """
            WITH found AS (
                SELECT s.id, s.csrf_secret, s.last_seen_at, w.slug, u.id AS u_id, u.workspace_id AS u_workspace, u.email AS u_email,
                       u.role AS u_role, u.password_hash IS NOT NULL AS u_has_password, u.created_at AS u_created,
                       u.disabled_at AS u_disabled
                FROM web_sessions s
                JOIN users u ON u.id = s.user_id
                JOIN workspaces w ON w.id = s.workspace_id
                WHERE s.token_hash = \(SecretToken.hash(secret)) AND s.ended_at IS NULL AND s.expires_at > now()
                  AND s.last_seen_at > now() - make_interval(secs => \(idleSeconds))
                  AND u.disabled_at IS NULL
            ), touched AS (
                UPDATE web_sessions SET last_seen_at = now()
                WHERE id IN (SELECT id FROM found WHERE last_seen_at < now() - interval '1 minute')
            )
            SELECT id, csrf_secret, slug, u_id, u_workspace, u_email, u_role, u_has_password, u_created, u_disabled FROM found
            """,
            logger: database.logger
        )
        for try await (id, csrf, slug, userID, workspace, email, role, hasPassword, created, disabled) in rows.decode(
            (UUID, String, String, UUID, UUID, String, String, Bool, Date, Date?).self
        ) {
            let user = StoredUser(
                id: userID,
                workspace: WorkspaceID(workspace),
                email: email,
                role: UserRole(rawValue: role) ?? .viewer,
                hasPassword: hasPassword,
                createdAt: created,
                disabledAt: disabled
            )
            return WebSession(id: id, user: user, workspaceSlug: slug, csrfSecret: csrf)
        }
        return nil
    }

    /// Ends a session (signing out); ending one already ended changes nothing.
    public func end(_ id: UUID) async throws {
        try await database.client.query(
            "UPDATE web_sessions SET ended_at = coalesce(ended_at, now()) WHERE id = \(id)",
            logger: database.logger
        )
    }
}
