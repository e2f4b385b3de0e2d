import Foundation
import HeraldCore
import PostgresNIO

extension EventStore {
    /// Impressions and successes of one variant on one channel.
    public struct ChannelTotals: Sendable, Equatable {
        /// The channel (`x`, `email`…); `""` for events without a publication.
        public var channel: String
        public var variant: VariantID
        public var key: String
        public var impressions: Int
        public var successes: Int
    }

    /// Totals per channel and variant of the campaign, from the hourly rollups: channels by name (`""` first), variants
    /// in the campaign's order. Only channels with events appear; a variant without events on a channel is left out.
    ///
    /// - Parameter metric: The event kind counted as a success.
    public func totalsPerChannel(campaign: CampaignID, metric: EventKind) async throws -> [ChannelTotals] {
        let rows = try await database.client.query(
            """
            SELECT h.channel, v.id, v.key,
                   coalesce(sum(h.count) FILTER (WHERE h.kind = 'impression'), 0)::bigint,
                   coalesce(sum(h.count) FILTER (WHERE h.kind = \(metric.rawValue)), 0)::bigint
            FROM variant_hourly h
            JOIN variants v ON v.id = h.variant_id AND v.workspace_id = h.workspace_id
            WHERE h.workspace_id = \(workspace.uuid) AND h.campaign_id = \(campaign.uuid)
            GROUP BY h.channel, v.id, v.key, v.position
            ORDER BY h.channel COLLATE "C", v.position
            """,
            logger: database.logger
        )
        var totals: [ChannelTotals] = []
        for try await (channel, id, key, impressions, successes) in rows.decode((String, UUID, String, Int, Int).self) {
            totals.append(ChannelTotals(channel: channel, variant: VariantID(id), key: key, impressions: impressions, successes: successes))
        }
        return totals
    }

    /// Impressions and successes of one variant on one channel on one UTC day.
    public struct ChannelDailyCount: Sendable, Equatable {
        /// The channel (`x`, `email`…); `""` for events without a publication.
        public var channel: String
        public var day: Date
        public var variant: VariantID
        public var impressions: Int
        public var successes: Int

        /// The same counts without the channel.
        public var daily: DailyCount { DailyCount(day: day, variant: variant, impressions: impressions, successes: successes) }
    }

    /// Per channel, per UTC day, per variant counts of the campaign: channels by name, then oldest day first.
    public func dailyPerChannel(campaign: CampaignID, metric: EventKind) async throws -> [ChannelDailyCount] {
        let rows = try await database.client.query(
            """
            SELECT h.channel, date_trunc('day', h.hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', h.variant_id,
                   coalesce(sum(h.count) FILTER (WHERE h.kind = 'impression'), 0)::bigint,
                   coalesce(sum(h.count) FILTER (WHERE h.kind = \(metric.rawValue)), 0)::bigint
            FROM variant_hourly h
            WHERE h.workspace_id = \(workspace.uuid) AND h.campaign_id = \(campaign.uuid)
            GROUP BY 1, 2, 3
            ORDER BY h.channel COLLATE "C", 2, 3
            """,
            logger: database.logger
        )
        var days: [ChannelDailyCount] = []
        for try await (channel, day, variant, impressions, successes) in rows.decode((String, Date, UUID, Int, Int).self) {
            days.append(ChannelDailyCount(channel: channel, day: day, variant: VariantID(variant), impressions: impressions, successes: successes))
        }
        return days
    }
}
