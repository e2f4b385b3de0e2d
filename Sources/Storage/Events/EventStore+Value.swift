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
