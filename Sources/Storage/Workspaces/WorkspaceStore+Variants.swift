import Foundation
import HeraldCore
import PostgresNIO

extension WorkspaceStore {
    /// The slug of the workspace of each variant id that exists, for telling an operator which workspace to name when
    /// a file refers to variants of another (never for API callers, who see only their own workspace).
    public func slugs(havingVariants ids: [UUID]) async throws -> [UUID: String] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await database.client.query(
            "SELECT v.id, w.slug FROM variants v JOIN workspaces w ON w.id = v.workspace_id WHERE v.id = ANY(\(ids))",
            logger: database.logger
        )
        var slugs: [UUID: String] = [:]
        for try await (id, slug) in rows.decode((UUID, String).self) { slugs[id] = slug }
        return slugs
    }
}
