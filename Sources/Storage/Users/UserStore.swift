import Foundation
import HeraldCore
import NIOCore
import PostgresNIO

/// The people of the back office: users per workspace with a role and a bcrypt password hash, and their invitations.
///
/// Passwords are hashed by the caller (the WebApp target's `Passwords`), so this store only ever sees hashes.
public struct UserStore: Sendable {
    let database: Database

    public init(_ database: Database) {
        self.database = database
    }

    /// An email address as stored: trimmed and lowercased.
    ///
    /// - Throws: ``ValidationError`` (field `email`) when it is not an address.
    public static func normalized(email: String) throws(ValidationError) -> String {
        let email = email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, email.utf8.count <= 320,
            !email.contains(where: { $0.isWhitespace })
        else {
            throw ValidationError(field: "email", reason: "\"\(email)\" is not an email address (name@example.com)")
        }
        return email
    }

    /// Creates a person in `workspace`; `passwordHash` nil leaves them to set one through an invitation.
    ///
    /// - Throws: ``ConflictError`` when the workspace already has someone with this email.
    public func create(workspace: WorkspaceID, email: String, role: UserRole, passwordHash: String?) async throws -> StoredUser {
        let email = try Self.normalized(email: email)
        do {
            let rows = try await database.client.query(
                """
                INSERT INTO users AS u (workspace_id, email, role, password_hash)
                VALUES (\(workspace.uuid), \(email), \(role.rawValue), \(passwordHash))
                RETURNING \(unescaped: Self.columns)
                """,
                logger: database.logger
            )
            if let user = try await Self.decode(rows).first { return user }
        } catch  where StorageError.sqlState(error) == "23505" {
            throw ConflictError("the workspace already has a user \(email); list them with `herald users list`")
        }
        throw StorageError("creating a user returned no row")
    }

    /// The workspace's people, by email.
    public func list(workspace: WorkspaceID) async throws -> [StoredUser] {
        let rows = try await database.client.query(
            "SELECT \(unescaped: Self.columns) FROM users u WHERE workspace_id = \(workspace.uuid) ORDER BY email",
            logger: database.logger
        )
        return try await Self.decode(rows)
    }

    /// The person with this id, in any workspace.
    ///
    /// - Throws: ``NotFoundError`` when there is none.
    public func find(_ id: UUID) async throws -> StoredUser {
        let rows = try await database.client.query("SELECT \(unescaped: Self.columns) FROM users u WHERE id = \(id)", logger: database.logger)
        if let user = try await Self.decode(rows).first { return user }
        throw NotFoundError(kind: "user", id: id.uuidString.lowercased())
    }

    /// The people with this email who may sign in (enabled, with a password), oldest first, with their hashes.
    public func signInCandidates(email: String) async throws -> [SignInCandidate] {
        guard let email = try? Self.normalized(email: email) else { return [] }
        let rows = try await database.client.query(
            """
            SELECT \(unescaped: Self.columns), w.slug, u.password_hash
            FROM users u JOIN workspaces w ON w.id = u.workspace_id
            WHERE u.email = \(email) AND u.disabled_at IS NULL AND u.password_hash IS NOT NULL
            ORDER BY u.created_at, u.id
            """,
            logger: database.logger
        )
        var candidates: [SignInCandidate] = []
        for try await (id, workspace, email, role, hasPassword, created, disabled, slug, hash) in rows.decode(
            (UUID, UUID, String, String, Bool, Date, Date?, String, String).self
        ) {
            let user = StoredUser(
                id: id,
                workspace: WorkspaceID(workspace),
                email: email,
                role: UserRole(rawValue: role) ?? .viewer,
                hasPassword: hasPassword,
                createdAt: created,
                disabledAt: disabled
            )
            candidates.append(SignInCandidate(user: user, workspaceSlug: slug, passwordHash: hash))
        }
        return candidates
    }

    /// Creates an invitation for the workspace's person `email` (creating them with `role` when missing); returns the
    /// one-time secret for the link `/app/invite/<secret>`, which sets their password.
    ///
    /// - Throws: ``ConflictError`` when the person exists with another role.
    public func invite(
        workspace: WorkspaceID,
        email: String,
        role: UserRole,
        validFor lifetime: Duration = .seconds(7 * 86_400)
    ) async throws -> (secret: String, user: StoredUser) {
        let email = try Self.normalized(email: email)
        let token = SecretToken()
        let seconds = Double(lifetime.components.seconds)
        return try await database.transaction { connection in
            try await connection.query(
                """
                INSERT INTO users (workspace_id, email, role) VALUES (\(workspace.uuid), \(email), \(role.rawValue))
                ON CONFLICT (workspace_id, email) DO NOTHING
                """,
                logger: database.logger
            )
            let rows = try await connection.query(
                "SELECT \(unescaped: Self.columns) FROM users u WHERE workspace_id = \(workspace.uuid) AND email = \(email)",
                logger: database.logger
            )
            guard let user = try await Self.decode(rows).first else { throw StorageError("inviting \(email) found no user") }
            guard user.role == role else {
                throw ConflictError("\(email) is already a \(user.role.rawValue) of the workspace; invite them as \(user.role.rawValue)")
            }
            try await connection.query(
                """
                INSERT INTO user_invitations (workspace_id, user_id, token_hash, expires_at)
                VALUES (\(workspace.uuid), \(user.id), \(token.hash), now() + make_interval(secs => \(seconds)))
                """,
                logger: database.logger
            )
            return (token.secret, user)
        }
    }

    /// The person an invitation is for, when the secret names one that is unused and not expired.
    public func invitation(_ secret: String) async throws -> StoredUser? {
        guard SecretToken.isWellFormed(secret) else { return nil }
        let rows = try await database.client.query(
            """
            SELECT \(unescaped: Self.columns) FROM user_invitations i JOIN users u ON u.id = i.user_id
            WHERE i.token_hash = \(SecretToken.hash(secret)) AND i.used_at IS NULL AND i.expires_at > now()
              AND u.disabled_at IS NULL
            """,
            logger: database.logger
        )
        return try await Self.decode(rows).first
    }

    /// Uses an invitation once: sets the person's password hash and marks it used, in one transaction.
    ///
    /// - Returns: The person, or nil when the invitation is unknown, used or expired (nothing changes then).
    public func accept(invitation secret: String, passwordHash: String) async throws -> StoredUser? {
        guard SecretToken.isWellFormed(secret) else { return nil }
        return try await database.transaction { connection in
            let used = try await connection.query(
                """
                UPDATE user_invitations SET used_at = now()
                WHERE token_hash = \(SecretToken.hash(secret)) AND used_at IS NULL AND expires_at > now()
                RETURNING user_id
                """,
                logger: database.logger
            )
            var userID: UUID?
            for try await id in used.decode(UUID.self) { userID = id }
            guard let userID else { return nil }
            let rows = try await connection.query(
                """
                UPDATE users u SET password_hash = \(passwordHash)
                WHERE id = \(userID) AND disabled_at IS NULL
                RETURNING \(unescaped: Self.columns)
                """,
                logger: database.logger
            )
            return try await Self.decode(rows).first
        }
    }

    static let columns = "u.id, u.workspace_id, u.email, u.role, u.password_hash IS NOT NULL, u.created_at, u.disabled_at"

    static func decode(_ rows: PostgresRowSequence) async throws -> [StoredUser] {
        var users: [StoredUser] = []
        for try await (id, workspace, email, role, hasPassword, created, disabled) in rows.decode(
            (UUID, UUID, String, String, Bool, Date, Date?).self
        ) {
            users.append(
                StoredUser(
                    id: id,
                    workspace: WorkspaceID(workspace),
                    email: email,
                    role: UserRole(rawValue: role) ?? .viewer,
                    hasPassword: hasPassword,
                    createdAt: created,
                    disabledAt: disabled
                )
            )
        }
        return users
    }
}
