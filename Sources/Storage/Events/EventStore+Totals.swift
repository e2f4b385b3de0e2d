import Foundation
import HeraldCore
import PostgresNIO

extension EventStore {
    /// Impressions and successes of one variant.
    public struct VariantTotals: Sendable, Equatable {
        public var variant: VariantID
        public var key: String
        public var impressions: Int
        public var successes: Int
    }

    /// Totals per variant of the campaign, in variant order, from the hourly rollups.
    ///
    /// - Parameter metric: The event kind counted as a success.
    public func totals(campaign: CampaignID, metric: EventKind) async throws -> [VariantTotals] {
        let rows = try await database.client.query(
            """
            SELECT v.id, v.key,
                   coalesce(sum(h.count) FILTER (WHERE h.kind = 'impression'), 0)::bigint,
                   coalesce(sum(h.count) FILTER (WHERE h.kind = \(metric.rawValue)), 0)::bigint
            FROM variants v
            LEFT JOIN variant_hourly h ON h.variant_id = v.id AND h.workspace_id = \(workspace.uuid)
            WHERE v.workspace_id = \(workspace.uuid) AND v.campaign_id = \(campaign.uuid)
            GROUP BY v.id, v.key, v.position
            ORDER BY v.position
            """,
            logger: database.logger
        )
        var totals: [VariantTotals] = []
        for try await (id, key, impressions, successes) in rows.decode((UUID, String, Int, Int).self) {
            totals.append(VariantTotals(variant: VariantID(id), key: key, impressions: impressions, successes: successes))
        }
        return totals
    }

    /// Impressions and successes of one variant on one UTC day.
    public struct DailyCount: Sendable, Equatable {
        public var day: Date
        public var variant: VariantID
        public var impressions: Int
        public var successes: Int
    }

    /// Per variant per UTC day counts of the campaign, oldest first.
    public func daily(campaign: CampaignID, metric: EventKind) async throws -> [DailyCount] {
        let rows = try await database.client.query(
            """
            SELECT date_trunc('day', h.hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', h.variant_id,
                   coalesce(sum(h.count) FILTER (WHERE h.kind = 'impression'), 0)::bigint,
                   coalesce(sum(h.count) FILTER (WHERE h.kind = \(metric.rawValue)), 0)::bigint
            FROM variant_hourly h
            WHERE h.workspace_id = \(workspace.uuid) AND h.campaign_id = \(campaign.uuid)
            GROUP BY 1, 2
            ORDER BY 1, 2
            """,
            logger: database.logger
        )
        var days: [DailyCount] = []
        for try await (day, variant, impressions, successes) in rows.decode((Date, UUID, Int, Int).self) {
            days.append(DailyCount(day: day, variant: VariantID(variant), impressions: impressions, successes: successes))
        }
        return days
    }

    /// How many bot hits were recorded for the campaign (kept out of analysis).
    public func botEvents(campaign: CampaignID) async throws -> Int {
        let rows = try await database.client.query(
            "SELECT count(*)::bigint FROM events WHERE workspace_id = \(workspace.uuid) AND campaign_id = \(campaign.uuid) AND is_bot",
            logger: database.logger
        )
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}
