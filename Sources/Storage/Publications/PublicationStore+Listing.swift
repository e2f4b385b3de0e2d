import Foundation
import HeraldCore
import PostgresNIO

extension PublicationStore {
    /// The campaign's publications in the workspace, newest scheduled first (at most `limit`).
    public func list(workspace: WorkspaceID, campaign: CampaignID, limit: Int = 500) async throws -> [Publication] {
        let rows = try await database.client.query(
            """
            SELECT \(unescaped: Self.columns)
            FROM publications p
            WHERE p.workspace_id = \(workspace.uuid) AND p.campaign_id = \(campaign.uuid)
            ORDER BY p.scheduled_at DESC, p.id
            LIMIT \(min(max(limit, 1), 5_000))
            """,
            logger: database.logger
        )
        var publications: [Publication] = []
        for try await row in rows.decode(Self.Row.self) {
            publications.append(Self.publication(row))
        }
        return publications
    }
}
