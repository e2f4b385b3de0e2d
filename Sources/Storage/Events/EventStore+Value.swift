import Foundation
import HeraldCore
import PostgresNIO

extension EventStore {
    /// Impressions and the conversion values of one variant, from the hourly rollups.
    public struct VariantValues: Sendable, Equatable {
        public var variant: VariantID
        public var key: String
        public var impressions: Int
        public var conversions: Int
        /// Sum of the `value` of the variant's conversions (a conversion without a value adds 0).
        public var valueSum: Double
        /// Sum of the squared values.
        public var valueSumSquares: Double
    }

    /// Impressions and conversion value totals per variant of the campaign, in variant order (bots left out, as in every rollup).
    public func valueTotals(campaign: CampaignID) async throws -> [VariantValues] {
        let rows = try await database.client.query(
            """
            SELECT v.id, v.key,
                   coalesce(sum(h.count) FILTER (WHERE h.kind = 'impression'), 0)::bigint,
                   coalesce(sum(h.count) FILTER (WHERE h.kind = 'conversion'), 0)::bigint,
                   coalesce(sum(h.value_sum) FILTER (WHERE h.kind = 'conversion'), 0)::double precision,
                   coalesce(sum(h.value_sum_sq) FILTER (WHERE h.kind = 'conversion'), 0)::double precision
            FROM variants v
            LEFT JOIN variant_hourly h ON h.variant_id = v.id AND h.workspace_id = \(workspace.uuid)
            WHERE v.workspace_id = \(workspace.uuid) AND v.campaign_id = \(campaign.uuid)
            GROUP BY v.id, v.key, v.position
            ORDER BY v.position
            """,
            logger: database.logger
        )
        var totals: [VariantValues] = []
        for try await (id, key, impressions, conversions, sum, squares) in rows.decode((UUID, String, Int, Int, Double, Double).self) {
            totals.append(
                VariantValues(
                    variant: VariantID(id),
                    key: key,
                    impressions: impressions,
                    conversions: conversions,
                    valueSum: sum,
                    valueSumSquares: squares
                )
            )
        }
        return totals
    }
}

extension EventStore {
    /// The conversion values of one variant on one UTC day.
    public struct DailyValue: Sendable, Equatable {
        public var day: Date
        public var variant: VariantID
        public var valueSum: Double
        public var valueSumSquares: Double
    }

    /// Per variant per UTC day sums of conversion values of the campaign, oldest first; days without conversions are left out.
    public func dailyValues(campaign: CampaignID) async throws -> [DailyValue] {
        let rows = try await database.client.query(
            """
            SELECT date_trunc('day', h.hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', h.variant_id,
                   sum(h.value_sum)::double precision, sum(h.value_sum_sq)::double precision
            FROM variant_hourly h
            WHERE h.workspace_id = \(workspace.uuid) AND h.campaign_id = \(campaign.uuid) AND h.kind = 'conversion'
            GROUP BY 1, 2
            ORDER BY 1, 2
            """,
            logger: database.logger
        )
        var days: [DailyValue] = []
        for try await (day, variant, sum, squares) in rows.decode((Date, UUID, Double, Double).self) {
            days.append(DailyValue(day: day, variant: VariantID(variant), valueSum: sum, valueSumSquares: squares))
        }
        return days
    }
}
