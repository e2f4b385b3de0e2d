import Foundation
import HeraldCore
import PostgresNIO

extension BenchFixtures {
    /// Inserts one scheduled publication per time in `times`, in one statement: variants and channels taken in turn.
    /// For `herald bench pages` (a campaign page and a calendar with many posts).
    public func scheduledPublications(
        workspace: WorkspaceID,
        campaign: CampaignID,
        variants: [VariantID],
        channels: [String],
        times: [Date]
    ) async throws {
        guard !variants.isEmpty, !channels.isEmpty else { return }
        let variantIDs = times.indices.map { variants[$0 % variants.count].uuid }
        let channelNames = times.indices.map { channels[$0 % channels.count] }
        let keys = times.indices.map { _ in "bench-pages:" + UUID().uuidString.lowercased() }
        try await database.client.execute(
            """
            INSERT INTO publications (workspace_id, campaign_id, variant_id, channel, scheduled_at, status, tracking_code, idempotency_key)
            SELECT \(workspace.uuid), \(campaign.uuid), v, c, t, 'scheduled', k, k
            FROM unnest(\(variantIDs)::uuid[], \(channelNames)::text[], \(times)::timestamptz[], \(keys)::text[]) AS p(v, c, t, k)
            """,
            logger: database.logger
        )
    }
}
