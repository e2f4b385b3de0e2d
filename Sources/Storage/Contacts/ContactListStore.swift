import Foundation
import HeraldCore
import Logging
import PostgresNIO

/// Named lists of contacts, per workspace.
public struct ContactListStore: Sendable {
    let database: Database

    public init(_ database: Database) {
        self.database = database
    }

    /// Creates a list.
    ///
    /// - Throws: ``ValidationError`` on `name` for an empty or too long name; ``ConflictError`` when the workspace has
    ///   a list of that name.
    public func create(workspace: WorkspaceID, name: String) async throws -> ContactList {
        let name = try Self.check(name)
        let rows = try await database.client.query(
            """
            INSERT INTO contact_lists (workspace_id, name) VALUES (\(workspace.uuid), \(name))
            ON CONFLICT (workspace_id, name) DO NOTHING
            RETURNING id, created_at
            """,
            logger: database.logger
        )
        for try await (id, created) in rows.decode((UUID, Date).self) {
            return ContactList(id: id, name: name, members: 0, createdAt: created)
        }
        throw ConflictError("a list named \"\(name)\" already exists")
    }

    /// The workspace's lists with how many contacts each has, by name.
    public func lists(workspace: WorkspaceID) async throws -> [ContactList] {
        let rows = try await database.client.query(
            """
            SELECT l.id, l.name, (SELECT count(*)::int FROM contact_list_members m WHERE m.list_id = l.id), l.created_at
            FROM contact_lists l WHERE l.workspace_id = \(workspace.uuid) ORDER BY l.name
            """,
            logger: database.logger
        )
        var lists: [ContactList] = []
        for try await (id, name, members, created) in rows.decode((UUID, String, Int, Date).self) {
            lists.append(ContactList(id: id, name: name, members: members, createdAt: created))
        }
        return lists
    }

    /// The list with this name.
    ///
    /// - Throws: ``NotFoundError`` when the workspace has none.
    public func list(workspace: WorkspaceID, named name: String) async throws -> ContactList {
        let rows = try await database.client.query(
            """
            SELECT l.id, l.name, (SELECT count(*)::int FROM contact_list_members m WHERE m.list_id = l.id), l.created_at
            FROM contact_lists l WHERE l.workspace_id = \(workspace.uuid) AND l.name = \(name)
            """,
            logger: database.logger
        )
        for try await (id, name, members, created) in rows.decode((UUID, String, Int, Date).self) {
            return ContactList(id: id, name: name, members: members, createdAt: created)
        }
        throw NotFoundError(kind: "list", id: name)
    }

    /// Adds contacts of the workspace to a list of the workspace; returns how many were not on it yet.
    ///
    /// - Throws: ``NotFoundError`` when the list is not the workspace's; contacts not of the workspace are ignored.
    @discardableResult
    public func add(workspace: WorkspaceID, list: UUID, contacts: [UUID]) async throws -> Int {
        let rows = try await database.client.query(
            """
            WITH target AS (SELECT id FROM contact_lists WHERE id = \(list) AND workspace_id = \(workspace.uuid)),
            added AS (
                INSERT INTO contact_list_members (list_id, contact_id)
                SELECT t.id, c.id FROM target t JOIN contacts c ON c.workspace_id = \(workspace.uuid) AND c.id = ANY(\(contacts)::uuid[])
                ORDER BY c.id
                ON CONFLICT DO NOTHING
                RETURNING contact_id
            )
            SELECT (SELECT count(*)::int FROM target), (SELECT count(*)::int FROM added)
            """,
            logger: database.logger
        )
        for try await (lists, added) in rows.decode((Int, Int).self) {
            guard lists == 1 else { throw NotFoundError(kind: "list", id: list.uuidString.lowercased()) }
            return added
        }
        return 0
    }

    /// The id of the workspace's list `name`, created when missing (inside an import's transaction).
    static func ensure(name: String, workspace: WorkspaceID, connection: PostgresConnection, logger: Logger) async throws -> UUID {
        let name = try check(name)
        let rows = try await connection.query(
            """
            INSERT INTO contact_lists (workspace_id, name) VALUES (\(workspace.uuid), \(name))
            ON CONFLICT (workspace_id, name) DO UPDATE SET name = EXCLUDED.name
            RETURNING id
            """,
            logger: logger
        )
        for try await id in rows.decode(UUID.self) { return id }
        throw StorageError("could not create list \(name)")
    }

    /// A list's name, trimmed: 1 to 200 characters.
    static func check(_ name: String) throws(ValidationError) -> String {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...200).contains(trimmed.count) else {
            throw ValidationError(field: "name", reason: "a list's name must be 1 to 200 characters")
        }
        return trimmed
    }
}
