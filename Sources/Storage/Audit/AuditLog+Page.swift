import Foundation
import HeraldCore
import PostgresNIO

extension AuditLog {
    /// A page of the log, newest first: the entries with an id below `before` (from the newest when nil), at most
    /// `limit`, and the id to pass as `before` for the next page (nil on the last).
    public func page(before: Int64?, limit: Int) async throws -> (entries: [Entry], next: Int64?) {
        let limit = min(max(limit, 1), 500)
        let rows = try await database.client.query(
            """
            SELECT id, occurred_at, actor, actor_name, action, subject_kind, subject_id, details::text FROM audit_log
            WHERE workspace_id = \(workspace.uuid) AND (\(before)::bigint IS NULL OR id < \(before)::bigint)
            ORDER BY id DESC
            LIMIT \(limit + 1)
            """,
            logger: database.logger
        )
        var entries = try await Self.entries(rows)
        guard entries.count > limit else { return (entries, nil) }
        entries.removeLast()
        return (entries, entries.last?.id)
    }
}
