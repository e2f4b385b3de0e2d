import Connectors
import Foundation
import HeraldCore
import Logging
import PostgresNIO

/// A workspace's connected platform accounts, with their credentials sealed by a ``SecretBox``.
///
/// Every query is limited to the store's workspace. Credentials are sealed before they reach the database (the
/// sealed box is bound to its account's row: `account:<uuid>`), opened only by ``connected(_:)`` for a connector,
/// and never appear in a ``StoredAccount``, a log line or an error.
public struct AccountStore: Sendable {
    let database: Database
    let workspace: WorkspaceID
    let secrets: SecretBox

    public init(_ database: Database, workspace: WorkspaceID, secrets: SecretBox) {
        self.database = database
        self.workspace = workspace
        self.secrets = secrets
    }

    /// The context a sealed credential is bound to.
    static func context(_ id: UUID) -> String { "account:\(id.uuidString.lowercased())" }

    /// Connects an account, or reconnects the workspace's account of that name: new credentials and base URL, health ok.
    ///
    /// - Parameters:
    ///   - name: Lowercase letters, digits and hyphens, unique in the workspace.
    ///   - baseURL: An `http` or `https` URL.
    ///   - followers: What the platform said on the check, if it was checked.
    ///   - health: What the check found (ok unless the platform is rate limiting the account).
    ///   - pace: How fast to post through it; nil keeps a reconnected account's pace, or gives a new one its kind's
    ///     ``Connectors/AccountKind/defaultPace``.
    /// - Throws: ``ValidationError`` for a bad name, URL or pace; ``ConflictError`` when the name belongs to an
    ///   account of another kind.
    public func connect(
        name: String,
        kind: AccountKind,
        baseURL: String,
        handle: String?,
        credentials: Credentials,
        followers: Int?,
        health: AccountHealth = .ok,
        reason: String? = nil,
        rateLimitedUntil: Date? = nil,
        pace: AccountPace? = nil
    ) async throws -> StoredAccount {
        guard Slug.isValid(name) else {
            throw ValidationError(field: "name", reason: "\"\(name)\" must be lowercase letters, digits and hyphens (at most 64)")
        }
        let baseURL = try Self.validated(baseURL: baseURL, kind: kind)
        if let pace { try Self.validate(pace) }
        let plaintext = try JSONEncoder().encode(credentials)
        let (workspace, secrets, logger) = (self.workspace, self.secrets, database.logger)
        let (id, reconnected): (UUID, Bool) = try await database.transaction { connection in
            let rows = try await connection.query(
                "SELECT id, kind FROM accounts WHERE workspace_id = \(workspace.uuid) AND name = \(name) FOR UPDATE",
                logger: logger
            )
            var existing: (UUID, String)?
            for try await row in rows.decode((UUID, String).self) { existing = row }
            if let (id, existingKind) = existing {
                guard existingKind == kind.rawValue else {
                    throw ConflictError(
                        "account \"\(name)\" is a \(existingKind) account; remove it first (herald channels remove \(name)) or choose another name"
                    )
                }
                let sealed = try secrets.seal(plaintext, context: Self.context(id))
                try await connection.query(
                    """
                    UPDATE accounts SET base_url = \(baseURL), handle = \(handle), credentials = \(sealed.sealed), key_id = \(sealed.keyID),
                        health = \(health.rawValue), health_reason = \(reason), rate_limited_until = \(rateLimitedUntil),
                        followers = coalesce(\(followers), followers),
                        pace_per_hour = coalesce(\(pace?.perHour), pace_per_hour), pace_burst = coalesce(\(pace?.burst), pace_burst),
                        bucket_tokens = least(bucket_tokens, coalesce(\(pace?.burst), pace_burst)), updated_at = now()
                    WHERE id = \(id) AND workspace_id = \(workspace.uuid)
                    """,
                    logger: logger
                )
                return (id, true)
            }
            let id = UUID()
            let sealed = try secrets.seal(plaintext, context: Self.context(id))
            let pace = pace ?? kind.defaultPace
            try await connection.query(
                """
                INSERT INTO accounts (id, workspace_id, name, kind, base_url, handle, credentials, key_id, health, health_reason,
                                      rate_limited_until, followers, pace_per_hour, pace_burst, bucket_tokens)
                VALUES (\(id), \(workspace.uuid), \(name), \(kind.rawValue), \(baseURL), \(handle), \(sealed.sealed), \(sealed.keyID),
                        \(health.rawValue), \(reason), \(rateLimitedUntil), \(followers), \(pace.perHour), \(pace.burst), \(pace.burst))
                """,
                logger: logger
            )
            return (id, false)
        }
        // Its publications that waited for a person to reconnect it go out now.
        if reconnected, health == .ok { try await DeliveryStore(database).wakePublications(account: id, now: Date()) }
        return try await find(id: id)
    }

    /// The workspace's accounts, by name.
    public func list() async throws -> [StoredAccount] {
        try await Self.decode(
            database.client.query(
                """
                SELECT id, workspace_id, name, kind, base_url, handle, health, health_reason, rate_limited_until, followers, pace_per_hour,
                   pace_burst FROM accounts
                WHERE workspace_id = \(workspace.uuid) ORDER BY name
                """,
                logger: database.logger
            )
        )
    }

    /// The workspace's account named `name`.
    ///
    /// - Throws: ``NotFoundError`` (kind `account`) when there is none.
    public func find(name: String) async throws -> StoredAccount {
        let found = try await Self.decode(
            database.client.query(
                """
                SELECT id, workspace_id, name, kind, base_url, handle, health, health_reason, rate_limited_until, followers, pace_per_hour,
                   pace_burst FROM accounts
                WHERE workspace_id = \(workspace.uuid) AND name = \(name)
                """,
                logger: database.logger
            )
        )
        guard let account = found.first else { throw NotFoundError(kind: "account", id: name) }
        return account
    }

    /// The workspace's account with `id`.
    ///
    /// - Throws: ``NotFoundError`` (kind `account`) when there is none.
    public func find(id: UUID) async throws -> StoredAccount {
        let found = try await Self.decode(
            database.client.query(
                """
                SELECT id, workspace_id, name, kind, base_url, handle, health, health_reason, rate_limited_until, followers, pace_per_hour,
                   pace_burst FROM accounts
                WHERE workspace_id = \(workspace.uuid) AND id = \(id)
                """,
                logger: database.logger
            )
        )
        guard let account = found.first else { throw NotFoundError(kind: "account", id: id.uuidString.lowercased()) }
        return account
    }

    /// Removes the workspace's account named `name` (its publications keep their history; channels that named it
    /// fall back to the workspace's only account of that kind, if one).
    ///
    /// - Throws: ``NotFoundError`` when there is none.
    public func remove(name: String) async throws {
        let rows = try await database.client.query(
            "DELETE FROM accounts WHERE workspace_id = \(workspace.uuid) AND name = \(name) RETURNING id",
            logger: database.logger
        )
        for try await _ in rows { return }
        throw NotFoundError(kind: "account", id: name)
    }

    /// The account as a connector needs it: with its credentials opened. Its `saveCredentials` seals changed
    /// credentials and stores them before the connector uses them.
    ///
    /// - Throws: ``NotFoundError``; ``SecretError`` (naming the account and the key that sealed its credentials) when
    ///   they do not open: nothing is decrypted then.
    public func connected(_ id: UUID) async throws -> ConnectedAccount {
        let rows = try await database.client.query(
            """
            SELECT name, kind, base_url, handle, credentials, key_id FROM accounts
            WHERE workspace_id = \(workspace.uuid) AND id = \(id)
            """,
            logger: database.logger
        )
        for try await (name, kind, baseURL, handle, sealed, keyID) in rows.decode((String, String, String, String?, Data, String).self) {
            let plaintext: Data
            do {
                plaintext = try secrets.open(sealed, keyID: keyID, context: Self.context(id))
            } catch var error as SecretError {
                error.message = error.message.replacingOccurrences(of: Self.context(id), with: "account \"\(name)\"")
                    .replacingOccurrences(
                        of: "reconnect the account",
                        with: "reconnect the account (herald channels connect \(kind) --name \(name) ...)"
                    )
                throw error
            }
            let credentials: Credentials
            do {
                credentials = try JSONDecoder().decode(Credentials.self, from: plaintext)
            } catch {
                throw SecretError(.tampered, "the credentials of account \"\(name)\" are not readable: reconnect the account", sealedWith: keyID)
            }
            let store = self
            return ConnectedAccount(
                id: id,
                name: name,
                kind: AccountKind(rawValue: kind) ?? .webhook,
                baseURL: baseURL,
                handle: handle,
                credentials: credentials,
                saveCredentials: { credentials in try await store.saveCredentials(id, credentials) }
            )
        }
        throw NotFoundError(kind: "account", id: id.uuidString.lowercased())
    }

    /// Seals and stores an account's changed credentials (a refreshed token).
    ///
    /// - Throws: ``NotFoundError`` when the workspace has no such account.
    public func saveCredentials(_ id: UUID, _ credentials: Credentials) async throws {
        let sealed = try secrets.seal(try JSONEncoder().encode(credentials), context: Self.context(id))
        let rows = try await database.client.query(
            """
            UPDATE accounts SET credentials = \(sealed.sealed), key_id = \(sealed.keyID), updated_at = now()
            WHERE workspace_id = \(workspace.uuid) AND id = \(id) RETURNING id
            """,
            logger: database.logger
        )
        for try await _ in rows { return }
        throw NotFoundError(kind: "account", id: id.uuidString.lowercased())
    }

    /// Records what Herald learnt about an account's health.
    ///
    /// - Parameters:
    ///   - reason: The platform's message (for rate_limited and needs_reconnect).
    ///   - until: For rate_limited: when the limit resets.
    /// - Returns: Whether the health state changed (a new reason or reset time alone is no change), so a caller
    ///   alerts once per change, however many workers see the same refusal.
    /// - Throws: ``NotFoundError`` when the workspace has no such account.
    @discardableResult
    public func setHealth(_ id: UUID, _ health: AccountHealth, reason: String?, until: Date?) async throws -> Bool {
        let (workspace, logger) = (self.workspace, database.logger)
        let changed: Bool? = try await database.transaction { connection in
            let rows = try await connection.query(
                "SELECT health FROM accounts WHERE workspace_id = \(workspace.uuid) AND id = \(id) FOR UPDATE",
                logger: logger
            )
            var previous: String?
            for try await health in rows.decode(String.self) { previous = health }
            guard let previous else { return nil }
            try await connection.query(
                """
                UPDATE accounts SET health = \(health.rawValue), health_reason = \(health == .ok ? nil : reason),
                    rate_limited_until = \(health == .rateLimited ? until : nil), updated_at = now()
                WHERE workspace_id = \(workspace.uuid) AND id = \(id)
                """,
                logger: logger
            )
            return previous != health.rawValue
        }
        guard let changed else { throw NotFoundError(kind: "account", id: id.uuidString.lowercased()) }
        return changed
    }

    static func decode(_ rows: PostgresRowSequence) async throws -> [StoredAccount] {
        var accounts: [StoredAccount] = []
        for try await row in rows {
            let (id, workspace, name, kind, baseURL, handle, health, reason, until, followers, perHour, burst) = try row.decode(
                (UUID, UUID, String, String, String, String?, String, String?, Date?, Int?, Double, Double).self
            )
            accounts.append(
                StoredAccount(
                    id: id,
                    workspace: WorkspaceID(workspace),
                    name: name,
                    kind: AccountKind(rawValue: kind) ?? .webhook,
                    baseURL: baseURL,
                    handle: handle,
                    health: AccountHealth(rawValue: health) ?? .ok,
                    reason: reason,
                    rateLimitedUntil: until,
                    followers: followers,
                    pace: AccountPace(perHour: perHour, burst: burst)
                )
            )
        }
        return accounts
    }

    /// `text` as an account's base URL: `http` or `https` with a host; trailing slashes dropped except for webhooks
    /// (whose URL is posted to as given).
    public static func validated(baseURL text: String, kind: AccountKind) throws(ValidationError) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else {
            throw ValidationError(field: "base_url", reason: "\"\(text)\" is not an http or https URL")
        }
        guard url.user == nil, url.password == nil else {
            throw ValidationError(field: "base_url", reason: "must not carry a user or password (give secrets through the credential flags)")
        }
        var result = trimmed
        if kind != .webhook { while result.hasSuffix("/") { result.removeLast() } }
        return result
    }

    /// Checks a pace: more than 0 posts an hour, a burst of at least 1.
    public static func validate(_ pace: AccountPace) throws(ValidationError) {
        guard pace.perHour > 0, pace.perHour.isFinite else { throw ValidationError(field: "per_hour", reason: "must be more than 0") }
        guard pace.burst >= 1, pace.burst.isFinite else { throw ValidationError(field: "burst", reason: "must be at least 1") }
    }
}
