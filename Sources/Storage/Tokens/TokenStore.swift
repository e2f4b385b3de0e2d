import Crypto
import Foundation
import HeraldCore
import NIOCore
import PostgresNIO

/// What an API token (or, in the back office, a person) may do in its workspace; each role may do what the ones
/// before it may.
public enum TokenRole: String, Sendable, Codable, CaseIterable, Comparable {
    /// Reads only.
    case viewer
    /// Reads and writes campaigns, variants, schedules and events.
    case editor
    /// What an editor does, and approves or rejects variants (see ``ReviewStore``).
    case approver
    /// Everything, including the workspace's settings.
    case admin

    var rank: Int {
        switch self {
        case .viewer: 0
        case .editor: 1
        case .approver: 2
        case .admin: 3
        }
    }

    /// Whether this role may approve and reject variants (approver, admin).
    public var reviews: Bool { self >= .approver }

    public static func < (lhs: TokenRole, rhs: TokenRole) -> Bool { lhs.rank < rhs.rank }

    /// Parses a role named on the command line or in a request.
    public static func parse(_ text: String) throws(ValidationError) -> TokenRole {
        guard let role = TokenRole(rawValue: text.lowercased()) else {
            throw ValidationError(field: "role", reason: "\"\(text)\" is not one of viewer, editor, approver, admin")
        }
        return role
    }
}

/// Who a request acts as: a token's workspace and role.
public struct Principal: Sendable, Equatable {
    public var token: UUID
    public var workspace: WorkspaceID
    public var workspaceSlug: String
    public var role: TokenRole
    /// The token's name (may be empty).
    public var name: String

    public init(token: UUID, workspace: WorkspaceID, workspaceSlug: String, role: TokenRole, name: String = "") {
        self.token = token
        self.workspace = workspace
        self.workspaceSlug = workspaceSlug
        self.role = role
        self.name = name
    }

    /// Who the token acts as, for review decisions and the audit log (`token:<id>`).
    public var actor: AuditActor { .token(token, name: name, role: role) }
}

/// A stored token as listings show it (never the secret).
public struct StoredToken: Sendable, Equatable, Codable {
    public var id: UUID
    public var name: String
    public var role: TokenRole
    public var prefix: String
    public var createdAt: Date
    public var lastUsedAt: Date?
    public var revokedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, name, role, prefix
        case createdAt = "created_at"
        case lastUsedAt = "last_used_at"
        case revokedAt = "revoked_at"
    }
}

/// API tokens: created with a random secret shown once, stored as its SHA-256 only.
///
/// The secret is 32 random bytes, so a fast hash is enough: there is no password to guess.
public struct TokenStore: Sendable {
    let database: Database

    public init(_ database: Database) {
        self.database = database
    }

    /// Every token starts with this, so leaked tokens are easy to find in logs and repositories.
    public static let tokenPrefix = "hrld_"

    /// Creates a token for `workspace`; returns the secret (to show once) and its record.
    public func create(workspace: WorkspaceID, role: TokenRole, name: String = "") async throws -> (secret: String, token: StoredToken) {
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = UInt8.random(in: .min ... .max, using: &generator) }
        let secret = Self.tokenPrefix + TextEncoding.base64URL(bytes)
        let hash = Self.hash(secret)
        let prefix = String(secret.prefix(Self.tokenPrefix.count + 6))
        let rows = try await database.client.query(
            """
            INSERT INTO api_tokens (workspace_id, name, role, token_hash, prefix)
            VALUES (\(workspace.uuid), \(name), \(role.rawValue), \(hash), \(prefix))
            RETURNING id, name, role, prefix, created_at, last_used_at, revoked_at
            """,
            logger: database.logger
        )
        if let token = try await Self.decode(rows).first { return (secret, token) }
        throw StorageError("creating a token returned no row")
    }

    /// The workspace and role of a secret, or nil when it is unknown or revoked.
    public func authenticate(_ secret: String) async throws -> Principal? {
        guard secret.hasPrefix(Self.tokenPrefix), secret.utf8.count < 200 else { return nil }
        // A read per request; `last_used_at` is written at most once a minute per token, so
        // concurrent requests with one token do not queue on its row.
        let rows = try await database.client.query(
            """
            WITH found AS (
                SELECT t.id, t.workspace_id, w.slug, t.role, t.name, t.last_used_at
                FROM api_tokens t JOIN workspaces w ON w.id = t.workspace_id
                WHERE t.token_hash = \(Self.hash(secret)) AND t.revoked_at IS NULL
            ), touched AS (
                UPDATE api_tokens SET last_used_at = now()
                WHERE id IN (SELECT id FROM found WHERE last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
            )
            SELECT id, workspace_id, slug, role, name FROM found
            """,
            logger: database.logger
        )
        for try await (id, workspace, slug, role, name) in rows.decode((UUID, UUID, String, String, String).self) {
            guard let role = TokenRole(rawValue: role) else { return nil }
            return Principal(token: id, workspace: WorkspaceID(workspace), workspaceSlug: slug, role: role, name: name)
        }
        return nil
    }

    /// The workspace's tokens, newest first.
    public func list(workspace: WorkspaceID) async throws -> [StoredToken] {
        let rows = try await database.client.query(
            """
            SELECT id, name, role, prefix, created_at, last_used_at, revoked_at FROM api_tokens
            WHERE workspace_id = \(workspace.uuid) ORDER BY created_at DESC, id
            """,
            logger: database.logger
        )
        return try await Self.decode(rows)
    }

    /// Revokes a token of the workspace.
    ///
    /// - Throws: ``NotFoundError`` when the workspace has no such token.
    public func revoke(_ id: UUID, workspace: WorkspaceID) async throws {
        let rows = try await database.client.query(
            """
            UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now())
            WHERE id = \(id) AND workspace_id = \(workspace.uuid) RETURNING id
            """,
            logger: database.logger
        )
        for try await _ in rows { return }
        throw NotFoundError(kind: "token", id: id.uuidString.lowercased())
    }

    /// The SHA-256 of a secret, as the `bytea` stored.
    static func hash(_ secret: String) -> ByteBuffer {
        ByteBuffer(bytes: SHA256.hash(data: Data(secret.utf8)))
    }

    static func decode(_ rows: PostgresRowSequence) async throws -> [StoredToken] {
        var tokens: [StoredToken] = []
        for try await (id, name, role, prefix, created, used, revoked) in rows.decode(
            (UUID, String, String, String, Date, Date?, Date?).self
        ) {
            tokens.append(
                StoredToken(
                    id: id,
                    name: name,
                    role: TokenRole(rawValue: role) ?? .viewer,
                    prefix: prefix,
                    createdAt: created,
                    lastUsedAt: used,
                    revokedAt: revoked
                )
            )
        }
        return tokens
    }
}
