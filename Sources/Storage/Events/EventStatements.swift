import Foundation
import HeraldCore
import PostgresNIO

/// The statements that write events and their hourly rollups, each part written once: where new rows come
/// from (``withIncoming(_:workspace:isBot:then:)``), the columns of `events` every path writes, and the
/// upsert into `variant_hourly`.
///
/// Only constants are composed into statement text here; every value is a bound parameter.
enum EventStatements {
    /// The columns of `events` that every ingest path writes, in this order.
    static let eventColumns = "id, workspace_id, campaign_id, variant_id, kind, occurred_at, value, is_bot, publication_id, channel, message_id"

    /// The start of every rollup upsert: the columns of `variant_hourly` it fills.
    static let rollupInsert =
        "INSERT INTO variant_hourly AS h (workspace_id, campaign_id, variant_id, hour, kind, channel, count, value_sum, value_sum_sq)"

    /// How a rollup upsert adds to an hour that has totals already.
    static let rollupConflict = """
        ON CONFLICT (variant_id, hour, kind, channel) DO UPDATE
        SET count = h.count + EXCLUDED.count,
            value_sum = h.value_sum + EXCLUDED.value_sum,
            value_sum_sq = h.value_sum_sq + EXCLUDED.value_sum_sq
        """

    /// Adds the events of `relation` (with ``eventColumns``) to their hourly totals per channel, bots left out; rows
    /// in (variant, hour, kind, channel) order so that concurrent batches lock them alike.
    static func rollup(of relation: String) -> String {
        """
        \(rollupInsert)
        SELECT workspace_id, campaign_id, variant_id, date_trunc('hour', occurred_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
               kind, channel, count(*), coalesce(sum(value), 0), coalesce(sum(value * value), 0)
        FROM \(relation)
        WHERE NOT is_bot
        GROUP BY 1, 2, 3, 4, 5, 6
        ORDER BY 3, 4, 5, 6
        \(rollupConflict)
        """
    }

    /// `WITH incoming AS (…)`, the batch's rows with ``eventColumns`` from one binary array per column, then `rest`.
    ///
    /// - Parameter rest: The rest of the statement (constant text): more common table expressions after a
    ///   comma, then the main statement.
    static func withIncoming(_ columns: EventRows.ColumnArrays, workspace: WorkspaceID, isBot: Bool, then rest: String) -> PostgresQuery {
        """
        WITH incoming AS MATERIALIZED (
            SELECT r.id, \(workspace.uuid)::uuid AS workspace_id, r.campaign AS campaign_id, r.variant AS variant_id, r.kind,
                   timestamptz '2000-01-01 00:00:00+00' + r.micros * interval '1 microsecond' AS occurred_at,
                   nullif(r.value, 'NaN'::float8) AS value, \(isBot)::boolean AS is_bot,
                   nullif(r.publication, '')::uuid AS publication_id, r.channel, nullif(r.message, '')::uuid AS message_id
            FROM unnest(\(columns.ids)::uuid[], \(columns.campaigns)::uuid[], \(columns.variants)::uuid[], \(columns.kinds)::text[],
                        \(columns.times)::int8[], \(columns.values)::float8[], \(columns.publications)::text[], \(columns.channels)::text[],
                        \(columns.messages)::text[])
                 AS r(id, campaign, variant, kind, micros, value, publication, channel, message)
        )\(unescaped: rest)
        """
    }

    /// Stores a batch whose ids are all new: ids, events and rollups in one statement, which fails whole
    /// (unique violation) if any id was stored before or is being stored by another batch.
    static func storeAll(_ columns: EventRows.ColumnArrays, workspace: WorkspaceID, isBot: Bool) -> PostgresQuery {
        withIncoming(
            columns,
            workspace: workspace,
            isBot: isBot,
            then: """
                , ids AS (
                    INSERT INTO event_ids (id, workspace_id) SELECT id, workspace_id FROM incoming
                ), stored AS (
                    INSERT INTO events (\(eventColumns)) SELECT \(eventColumns) FROM incoming
                )
                \(rollup(of: "incoming"))
                """
        )
    }

    /// Stores the events of a batch whose id is not stored yet, their rollups included; answers how many.
    static func storeNewOnly(_ columns: EventRows.ColumnArrays, workspace: WorkspaceID, isBot: Bool) -> PostgresQuery {
        withIncoming(
            columns,
            workspace: workspace,
            isBot: isBot,
            then: """
                , fresh AS (
                    INSERT INTO event_ids (id, workspace_id) SELECT id, workspace_id FROM incoming
                    ON CONFLICT (id) DO NOTHING
                    RETURNING id
                ), inserted AS (
                    INSERT INTO events (\(eventColumns))
                    SELECT \(eventColumns.split(separator: ",").map { "i." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", "))
                    FROM incoming i
                    JOIN fresh f ON f.id = i.id
                    RETURNING \(eventColumns)
                ), rolled AS (
                    \(rollup(of: "inserted"))
                )
                SELECT count(*)::bigint FROM inserted
                """
        )
    }
}
