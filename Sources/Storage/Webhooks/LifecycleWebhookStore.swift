import Foundation
import HeraldCore
import PostgresNIO

/// A URL a workspace subscribed to lifecycle events (`herald webhooks add`).
public struct LifecycleWebhook: Sendable, Equatable {
    public var id: UUID
    public var workspace: WorkspaceID
    public var url: String
    /// The events it receives, in the order of ``LifecycleEventType/allCases``.
    public var events: [LifecycleEventType]
    /// The workers' environment variable (`HERALD_WEBHOOK_…`) holding the signing secret.
    public var secretEnv: String?
    public var createdAt: Date
}

/// A workspace's lifecycle webhooks. The signing secret is never stored as text: a webhook names the workers'
/// environment variable that holds it, as report webhooks do.
public struct LifecycleWebhookStore: Sendable {
    let database: Database
    /// The workspace every query is scoped to.
    public let workspace: WorkspaceID

    public init(_ database: Database, workspace: WorkspaceID) {
        self.database = database
        self.workspace = workspace
    }

    /// Subscribes `url` to `events`, signed with the secret in the workers' variable `secretEnv`.
    ///
    /// - Throws: ``ValidationError`` when `events` is empty.
    public func add(url: String, events: [LifecycleEventType], secretEnv: String) async throws -> LifecycleWebhook {
        guard !events.isEmpty else { throw ValidationError(field: "events", reason: "name at least one event: \(LifecycleEventType.names)") }
        let rows = try await database.client.query(
            """
            INSERT INTO lifecycle_webhooks (workspace_id, url, events, secret_env)
            VALUES (\(workspace.uuid), \(url), \(events.map(\.rawValue))::text[], \(secretEnv))
            RETURNING \(unescaped: Self.columns)
            """,
            logger: database.logger
        )
        for try await row in rows.decode(Self.Row.self) { return Self.webhook(row) }
        throw StorageError("adding the webhook returned no row")
    }

    /// The workspace's webhooks, oldest first.
    public func list() async throws -> [LifecycleWebhook] {
        let rows = try await database.client.query(
            "SELECT \(unescaped: Self.columns) FROM lifecycle_webhooks WHERE workspace_id = \(workspace.uuid) ORDER BY created_at, id",
            logger: database.logger
        )
        return try await Self.webhooks(rows)
    }

    /// The workspace's webhooks subscribed to `event`.
    public func subscribed(to event: LifecycleEventType) async throws -> [LifecycleWebhook] {
        let rows = try await database.client.query(
            """
            SELECT \(unescaped: Self.columns) FROM lifecycle_webhooks
            WHERE workspace_id = \(workspace.uuid) AND \(event.rawValue) = ANY (events)
            ORDER BY created_at, id
            """,
            logger: database.logger
        )
        return try await Self.webhooks(rows)
    }

    /// The webhook with this id.
    ///
    /// - Throws: ``NotFoundError`` when the workspace has none (it may have been removed).
    public func find(_ id: UUID) async throws -> LifecycleWebhook {
        let rows = try await database.client.query(
            "SELECT \(unescaped: Self.columns) FROM lifecycle_webhooks WHERE workspace_id = \(workspace.uuid) AND id = \(id)",
            logger: database.logger
        )
        if let found = try await Self.webhooks(rows).first { return found }
        throw NotFoundError(kind: "webhook", id: id.uuidString.lowercased())
    }

    /// Removes the webhook: it receives nothing more (events already queued for it are dropped when their turn comes).
    ///
    /// - Throws: ``NotFoundError`` when the workspace has none with this id.
    public func remove(_ id: UUID) async throws {
        let rows = try await database.client.query(
            "DELETE FROM lifecycle_webhooks WHERE workspace_id = \(workspace.uuid) AND id = \(id) RETURNING id",
            logger: database.logger
        )
        var removed = false
        for try await _ in rows.decode(UUID.self) { removed = true }
        guard removed else { throw NotFoundError(kind: "webhook", id: id.uuidString.lowercased()) }
    }

    static let columns = "id, workspace_id, url, events, secret_env, created_at"
    typealias Row = (UUID, UUID, String, [String], String?, Date)

    static func webhook(_ row: Row) -> LifecycleWebhook {
        LifecycleWebhook(
            id: row.0,
            workspace: WorkspaceID(row.1),
            url: row.2,
            events: LifecycleEventType.allCases.filter { row.3.contains($0.rawValue) },
            secretEnv: row.4,
            createdAt: row.5
        )
    }

    static func webhooks(_ rows: PostgresRowSequence) async throws -> [LifecycleWebhook] {
        var webhooks: [LifecycleWebhook] = []
        for try await row in rows.decode(Row.self) { webhooks.append(webhook(row)) }
        return webhooks
    }
}
