import Foundation
import HeraldCore
import PostgresNIO

extension CampaignStore {
    /// A campaign as the back office's campaign list shows it.
    public struct Overview: Sendable, Equatable {
        public var id: CampaignID
        public var slug: String
        public var name: String
        public var status: CampaignStatus
        public var channels: [String]
        public var variants: Int
    }

    /// Every campaign of the workspace with its channels and number of variants, newest first (at most `limit`).
    public func overview(limit: Int = 500) async throws -> [Overview] {
        let rows = try await database.client.query(
            """
            SELECT c.id, c.slug, c.name, c.status,
                   coalesce((SELECT array_agg(kind ORDER BY position) FROM channels WHERE campaign_id = c.id), '{}'),
                   (SELECT count(*) FROM variants v WHERE v.campaign_id = c.id)::int
            FROM campaigns c
            WHERE c.workspace_id = \(workspace.uuid)
            ORDER BY c.created_at DESC, c.id DESC
            LIMIT \(min(max(limit, 1), 5_000))
            """,
            logger: database.logger
        )
        var campaigns: [Overview] = []
        for try await (id, slug, name, status, channels, variants) in rows.decode((UUID, String, String, String, [String], Int).self) {
            campaigns.append(
                Overview(
                    id: CampaignID(id),
                    slug: slug,
                    name: name,
                    status: CampaignStatus(rawValue: status) ?? .scheduled,
                    channels: channels,
                    variants: variants
                )
            )
        }
        return campaigns
    }
}
