import Foundation
import HeraldCore
import PostgresNIO

extension ScheduleStore {
    /// The workspace's schedules (optionally only one campaign's), by name.
    public func list(workspace: WorkspaceID, campaign: CampaignID? = nil) async throws -> [StoredSchedule] {
        let campaignID = campaign?.uuid
        let rows = try await database.client.query(
            """
            SELECT \(unescaped: Self.columns)
            FROM schedules
            WHERE workspace_id = \(workspace.uuid) AND (\(campaignID)::uuid IS NULL OR campaign_id = \(campaignID))
            ORDER BY name
            """,
            logger: database.logger
        )
        return try await Self.decode(rows)
    }

    /// The workspace's schedule with this id.
    ///
    /// - Throws: ``NotFoundError`` when the workspace has none (another workspace's schedule is "not found" too).
    public func find(_ id: UUID, workspace: WorkspaceID) async throws -> StoredSchedule {
        let rows = try await database.client.query(
            "SELECT \(unescaped: Self.columns) FROM schedules WHERE id = \(id) AND workspace_id = \(workspace.uuid)",
            logger: database.logger
        )
        for schedule in try await Self.decode(rows) { return schedule }
        throw NotFoundError(kind: "schedule", id: id.uuidString.lowercased())
    }

    /// The workspace's schedule named `reference`, or with that id.
    ///
    /// - Throws: ``NotFoundError`` when the workspace has none by that name or id.
    public func find(_ reference: String, workspace: WorkspaceID) async throws -> StoredSchedule {
        let id = UUID(uuidString: reference)
        let rows = try await database.client.query(
            """
            SELECT \(unescaped: Self.columns) FROM schedules
            WHERE workspace_id = \(workspace.uuid) AND (name = \(reference) OR id = \(id))
            ORDER BY name = \(reference) DESC
            LIMIT 1
            """,
            logger: database.logger
        )
        for schedule in try await Self.decode(rows) { return schedule }
        throw NotFoundError(kind: "schedule", id: reference)
    }

    /// Deletes the workspace's schedule; fires already turned into jobs stay queued.
    public func delete(_ id: UUID, workspace: WorkspaceID) async throws {
        let rows = try await database.client.query(
            "DELETE FROM schedules WHERE id = \(id) AND workspace_id = \(workspace.uuid) RETURNING id",
            logger: database.logger
        )
        for try await _ in rows { return }
        throw NotFoundError(kind: "schedule", id: id.uuidString.lowercased())
    }
}
