import Connectors
import Foundation
import HeraldCore
import PostgresNIO

/// An OAuth 2.0 authorization started from the back office, waiting for the platform's redirect.
public struct OAuthFlow: Sendable, Equatable {
    public var id: UUID
    public var workspace: WorkspaceID
    /// The session that started it: only that session may finish it.
    public var session: UUID
    public var user: UUID
    public var kind: AccountKind
    /// The account it connects (or reconnects, when the workspace has one of that name).
    public var accountName: String
    /// The redirect URI sent in the authorization request; the code exchange sends the same.
    public var redirectURI: String
    /// The PKCE code verifier (opened from its sealed form).
    public var verifier: String
    /// Whether it had expired when it was taken.
    public var expired: Bool
}

/// The back office's OAuth 2.0 authorizations in progress (`oauth_flows`): the `state` is stored as its SHA-256, the
/// PKCE verifier sealed under the server's key, each row bound to a session and a workspace, taken at most once, and
/// good for ``lifetime``.
public struct OAuthFlowStore: Sendable {
    let database: Database
    let secrets: SecretBox
    /// How long a person has to approve on the platform.
    public static let lifetime: Duration = .seconds(600)

    public init(_ database: Database, secrets: SecretBox) {
        self.database = database
        self.secrets = secrets
    }

    static func context(_ id: UUID) -> String { "oauth-flow:\(id.uuidString.lowercased())" }

    /// Records a new authorization for `session` and returns its `state` (32 random bytes, base64url) to send with the
    /// authorization request. Expired rows of any session are removed on the way.
    public func start(
        session: WebSession,
        kind: AccountKind,
        accountName: String,
        redirectURI: String,
        verifier: String
    ) async throws -> String {
        let id = UUID()
        let state = SecretToken().secret
        let sealed = try secrets.seal(Data(verifier.utf8), context: Self.context(id))
        let seconds = Double(Self.lifetime.components.seconds)
        let (logger, workspace) = (database.logger, session.user.workspace)
        try await database.transaction { connection in
            try await connection.query("DELETE FROM oauth_flows WHERE expires_at < now() - interval '1 hour'", logger: logger)
            try await connection.query(
                """
                INSERT INTO oauth_flows (id, workspace_id, session_id, user_id, state_hash, kind, account_name, redirect_uri, verifier, key_id,
                                         expires_at)
                VALUES (\(id), \(workspace.uuid), \(session.id), \(session.user.id), \(SecretToken.hash(state)), \(kind.rawValue), \(accountName),
                        \(redirectURI), \(sealed.sealed), \(sealed.keyID), now() + make_interval(secs => \(seconds)))
                """,
                logger: logger
            )
        }
        return state
    }

    /// Takes (deletes and returns) the authorization of `state`, whoever started it: a state is good for one try. The
    /// caller checks ``OAuthFlow/session``, ``OAuthFlow/workspace`` and ``OAuthFlow/expired``.
    ///
    /// - Returns: nil when no authorization has that state (never started, or already taken).
    public func take(state: String) async throws -> OAuthFlow? {
        guard SecretToken.isWellFormed(state) else { return nil }
        let rows = try await database.client.query(
            """
            DELETE FROM oauth_flows WHERE state_hash = \(SecretToken.hash(state))
            RETURNING id, workspace_id, session_id, user_id, kind, account_name, redirect_uri, verifier, key_id, expires_at <= now()
            """,
            logger: database.logger
        )
        for try await (id, workspace, session, user, kind, name, redirectURI, sealed, keyID, expired) in rows.decode(
            (UUID, UUID, UUID, UUID, String, String, String, Data, String, Bool).self
        ) {
            let verifier = String(decoding: try secrets.open(sealed, keyID: keyID, context: Self.context(id)), as: UTF8.self)
            return OAuthFlow(
                id: id,
                workspace: WorkspaceID(workspace),
                session: session,
                user: user,
                kind: AccountKind(rawValue: kind) ?? .x,
                accountName: name,
                redirectURI: redirectURI,
                verifier: verifier,
                expired: expired
            )
        }
        return nil
    }
}
