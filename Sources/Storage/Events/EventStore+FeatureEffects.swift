import Foundation
import HeraldCore
import PostgresNIO

extension EventStore {
    /// Every variant of the workspace with numeric features, its impressions and successes of `metric`.
    public func featureRows(metric: EventKind) async throws -> [(features: [String: Double], trials: Int, successes: Int)] {
        let rows = try await database.client.query(
            """
            SELECT v.features::text,
                   coalesce(sum(h.count) FILTER (WHERE h.kind = 'impression'), 0)::bigint,
                   coalesce(sum(h.count) FILTER (WHERE h.kind = \(metric.rawValue)), 0)::bigint
            FROM variants v
            LEFT JOIN variant_hourly h ON h.variant_id = v.id AND h.workspace_id = \(workspace.uuid)
            WHERE v.workspace_id = \(workspace.uuid) AND v.features <> '{}'::jsonb
            GROUP BY v.id, v.features
            """,
            logger: database.logger
        )
        var result: [(features: [String: Double], trials: Int, successes: Int)] = []
        for try await (json, trials, successes) in rows.decode((String, Int, Int).self) {
            guard trials > 0, let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { continue }
            var features: [String: Double] = [:]
            for (key, value) in object {
                if let bool = value as? Bool { features[key] = bool ? 1 : 0 } else if let number = value as? Double { features[key] = number }
            }
            result.append((features, trials, min(successes, trials)))
        }
        return result
    }
}
