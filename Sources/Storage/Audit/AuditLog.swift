import Foundation
import HeraldCore
import Logging
import PostgresNIO

/// What people and machines did in a workspace (`audit_log`): review decisions, edits, and whatever else records
/// itself (the autopilot, the back office). Rows are only added, never changed.
public struct AuditLog: Sendable {
    let database: Database
    /// The workspace every query is scoped to.
    public let workspace: WorkspaceID

    public init(_ database: Database, workspace: WorkspaceID) {
        self.database = database
        self.workspace = workspace
    }

    /// One thing done.
    public struct Entry: Sendable, Equatable, Codable {
        public var id: Int64
        public var occurredAt: Date
        /// ``AuditActor/reference`` of who did it, and its name.
        public var actor: String
        public var actorName: String
        /// A dotted verb: `variant.approve`, `variant.reject`, `variant.edit`, `review.settings`...
        public var action: String
        /// What it was done to: a kind (`variant`, `campaign`, `workspace`) and its id.
        public var subjectKind: String
        public var subjectID: String
        /// Anything more, as a JSON object.
        public var details: [String: JSONValue]

        enum CodingKeys: String, CodingKey {
            case id, actor, action, details
            case occurredAt = "occurred_at"
            case actorName = "actor_name"
            case subjectKind = "subject_kind"
            case subjectID = "subject_id"
        }
    }

    /// Records one thing done (on its own; see ``record(_:subjectKind:subjectID:details:actor:workspace:on:logger:)`` to
    /// record it in the transaction that does it).
    public func record(
        _ action: String,
        subjectKind: String,
        subjectID: String,
        details: [String: JSONValue] = [:],
        actor: AuditActor
    ) async throws {
        let json = try Self.json(details)
        try await database.client.execute(
            """
            INSERT INTO audit_log (workspace_id, actor, actor_name, action, subject_kind, subject_id, details)
            VALUES (\(workspace.uuid), \(actor.reference), \(actor.name), \(action), \(subjectKind), \(subjectID), \(json)::jsonb)
            """,
            logger: database.logger
        )
    }

    /// Records one thing done on `connection`, inside the caller's transaction, so the record and the deed commit together.
    public static func record(
        _ action: String,
        subjectKind: String,
        subjectID: String,
        details: [String: JSONValue] = [:],
        actor: AuditActor,
        workspace: WorkspaceID,
        on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        let json = try Self.json(details)
        try await connection.execute(
            """
            INSERT INTO audit_log (workspace_id, actor, actor_name, action, subject_kind, subject_id, details)
            VALUES (\(workspace.uuid), \(actor.reference), \(actor.name), \(action), \(subjectKind), \(subjectID), \(json)::jsonb)
            """,
            logger: logger
        )
    }

    /// The newest entries first, at most `limit`, optionally only those about one subject.
    public func entries(subjectKind: String? = nil, subjectID: String? = nil, limit: Int = 100) async throws -> [Entry] {
        let rows = try await database.client.query(
            """
            SELECT id, occurred_at, actor, actor_name, action, subject_kind, subject_id, details::text FROM audit_log
            WHERE workspace_id = \(workspace.uuid)
              AND (\(subjectKind)::text IS NULL OR subject_kind = \(subjectKind)::text)
              AND (\(subjectID)::text IS NULL OR subject_id = \(subjectID)::text)
            ORDER BY occurred_at DESC, id DESC
            LIMIT \(min(max(limit, 1), 1_000))
            """,
            logger: database.logger
        )
        return try await Self.entries(rows)
    }

    static func json(_ details: [String: JSONValue]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(details), as: UTF8.self)
    }
}

extension AuditLog {
    /// The entries of rows selected as `id, occurred_at, actor, actor_name, action, subject_kind, subject_id,
    /// details::text`.
    static func entries(_ rows: PostgresRowSequence) async throws -> [Entry] {
        var entries: [Entry] = []
        for try await (id, at, actor, name, action, kind, subject, details) in rows.decode(
            (Int64, Date, String, String, String, String, String, String).self
        ) {
            entries.append(
                Entry(
                    id: id,
                    occurredAt: at,
                    actor: actor,
                    actorName: name,
                    action: action,
                    subjectKind: kind,
                    subjectID: subject,
                    details: (try? JSONDecoder().decode([String: JSONValue].self, from: Data(details.utf8))) ?? [:]
                )
            )
        }
        return entries
    }
}
