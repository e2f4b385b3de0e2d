import Foundation
import HeraldCore
import PostgresNIO

/// Workspaces: the tenants every other table belongs to.
public struct WorkspaceStore: Sendable {
    let database: Database

    public init(_ database: Database) {
        self.database = database
    }

    /// The id of the workspace with `slug`, creating it (named after the slug) when missing.
    public func ensure(slug: String) async throws -> WorkspaceID {
        guard Slug.isValid(slug) else {
            throw ValidationError(field: "workspace", reason: "\"\(slug)\" must be lowercase letters, digits and hyphens")
        }
        let rows = try await database.client.query(
            """
            INSERT INTO workspaces (slug, name) VALUES (\(slug), \(slug))
            ON CONFLICT (slug) DO UPDATE SET slug = EXCLUDED.slug
            RETURNING id
            """,
            logger: database.logger
        )
        for try await id in rows.decode(UUID.self) { return WorkspaceID(id) }
        throw StorageError("could not create workspace \(slug)")
    }

    /// The id of the workspace with `slug`.
    ///
    /// - Throws: ``NotFoundError`` when there is none.
    public func find(slug: String) async throws -> WorkspaceID {
        let rows = try await database.client.query("SELECT id FROM workspaces WHERE slug = \(slug)", logger: database.logger)
        for try await id in rows.decode(UUID.self) { return WorkspaceID(id) }
        throw NotFoundError(kind: "workspace", id: slug)
    }

    /// The slugs of the workspaces that have a campaign with this slug or id, in order: for telling an operator
    /// which workspace to name when a campaign is not in the one they work in (never for API callers, who see
    /// only their own workspace).
    public func slugs(havingCampaign reference: String) async throws -> [String] {
        let rows = try await database.client.query(
            """
            SELECT DISTINCT w.slug FROM campaigns c JOIN workspaces w ON w.id = c.workspace_id
            WHERE c.slug = \(reference) OR c.id = \(UUID(uuidString: reference))
            ORDER BY w.slug
            """,
            logger: database.logger
        )
        var slugs: [String] = []
        for try await slug in rows.decode(String.self) { slugs.append(slug) }
        return slugs
    }

    /// The name of the workspace with `id`.
    ///
    /// - Throws: ``NotFoundError`` when there is none.
    public func name(of id: WorkspaceID) async throws -> String {
        let rows = try await database.client.query("SELECT name FROM workspaces WHERE id = \(id.uuid)", logger: database.logger)
        for try await name in rows.decode(String.self) { return name }
        throw NotFoundError(kind: "workspace", id: id.uuid.uuidString.lowercased())
    }
}
