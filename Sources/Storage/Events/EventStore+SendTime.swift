import Foundation
import HeraldCore
import PostgresNIO

extension EventStore {
    /// Impressions and successes per hour of week (0 = Monday 00:00) on `channel`, each campaign's hours read in its
    /// schedule's time zone (UTC when it has none).
    ///
    /// Rollups know their channel when their events named a publication (every tracking hit does); rollups of events
    /// without one (channel `""`) count for their campaign's first channel.
    public func hourOfWeek(channel: HeraldCore.Channel, metric: EventKind) async throws -> [(hourOfWeek: Int, trials: Int, successes: Int)] {
        let rows = try await database.client.query(
            """
            SELECT ((extract(isodow FROM h.hour AT TIME ZONE coalesce(c.schedule->>'tz', 'UTC'))::int - 1) * 24
                    + extract(hour FROM h.hour AT TIME ZONE coalesce(c.schedule->>'tz', 'UTC'))::int),
                   coalesce(sum(h.count) FILTER (WHERE h.kind = 'impression'), 0)::bigint,
                   coalesce(sum(h.count) FILTER (WHERE h.kind = \(metric.rawValue)), 0)::bigint
            FROM variant_hourly h
            JOIN campaigns c ON c.id = h.campaign_id
            LEFT JOIN channels ch ON ch.campaign_id = h.campaign_id AND ch.position = 0
            WHERE h.workspace_id = \(workspace.uuid) AND coalesce(nullif(h.channel, ''), ch.kind) = \(channel.rawValue)
            GROUP BY 1 ORDER BY 1
            """,
            logger: database.logger
        )
        var slots: [(hourOfWeek: Int, trials: Int, successes: Int)] = []
        for try await (hour, trials, successes) in rows.decode((Int, Int, Int).self) {
            slots.append((hour, trials, min(successes, trials)))
        }
        return slots
    }
}
