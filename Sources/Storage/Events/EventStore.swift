import Foundation
import HeraldCore
import NIOCore
import PostgresNIO

/// Engagement events and their hourly rollups, within one workspace.
public struct EventStore: Sendable {
    let database: Database
    /// The workspace every query is scoped to.
    public let workspace: WorkspaceID

    public init(_ database: Database, workspace: WorkspaceID) {
        self.database = database
        self.workspace = workspace
    }

    /// What an ingest did.
    public struct IngestResult: Sendable, Equatable, Codable {
        /// New events stored.
        public var accepted: Int
        /// Events whose id was already stored (or repeated in the batch): skipped, not counted again.
        public var duplicates: Int

        public init(accepted: Int, duplicates: Int) {
            self.accepted = accepted
            self.duplicates = duplicates
        }
    }

    /// Every variant id of the workspace: what incoming events may refer to.
    public func knownVariantIDs() async throws -> Set<VariantID> {
        let rows = try await database.client.query(
            "SELECT id FROM variants WHERE workspace_id = \(workspace.uuid)",
            logger: database.logger
        )
        var ids = Set<VariantID>()
        for try await id in rows.decode(UUID.self) { ids.insert(VariantID(id)) }
        return ids
    }

    /// Stores validated events atomically: all new ones or none; duplicates by id are skipped and counted.
    ///
    /// The batch is streamed with COPY into a temporary table; one statement then claims the new
    /// ids in `event_ids` (the global idempotency key), inserts those events, and adds them to
    /// `variant_hourly`. Concurrent ingests of the same id wait on its unique index, so each
    /// event is counted once in events and rollups. Month partitions are created first, in their
    /// own short transactions, so ingest never holds a lock on the partitioned table.
    ///
    /// - Parameters:
    ///   - events: Events already validated (see ``EventAcceptancePolicy``).
    ///   - progress: Called with the fraction of rows sent to the server.
    public func ingest(_ events: [EngagementEvent], progress: @Sendable (Double) -> Void = { _ in }) async throws -> IngestResult {
        guard !events.isEmpty else { return IngestResult(accepted: 0, duplicates: 0) }
        try await ensurePartitions(covering: events.map(\.occurredAt))
        let workspace = self.workspace
        let logger = database.logger
        let accepted: Int = try await database.transaction { connection in
            try await connection.query(
                """
                CREATE TEMPORARY TABLE herald_incoming_events (
                    id uuid NOT NULL, variant_id uuid NOT NULL, kind text NOT NULL,
                    occurred_epoch double precision NOT NULL, value double precision
                ) ON COMMIT DROP
                """,
                logger: logger
            )
            try await connection.copyFrom(
                table: "herald_incoming_events",
                columns: ["id", "variant_id", "kind", "occurred_epoch", "value"],
                logger: logger
            ) { writer in
                var buffer = ByteBuffer()
                buffer.reserveCapacity(1 << 20)
                for (index, event) in events.enumerated() {
                    buffer.writeString(event.id.uuid.uuidString)
                    buffer.writeInteger(UInt8(ascii: "\t"))
                    buffer.writeString(event.variantID.uuid.uuidString)
                    buffer.writeInteger(UInt8(ascii: "\t"))
                    buffer.writeString(event.kind.rawValue)
                    buffer.writeInteger(UInt8(ascii: "\t"))
                    buffer.writeString(event.occurredAt.timeIntervalSince1970.description)
                    buffer.writeInteger(UInt8(ascii: "\t"))
                    if let value = event.value { buffer.writeString(value.description) } else { buffer.writeString("\\N") }
                    buffer.writeInteger(UInt8(ascii: "\n"))
                    if buffer.readableBytes >= 1 << 20 {
                        try await writer.write(buffer)
                        buffer.clear()
                        progress(Double(index + 1) / Double(events.count))
                    }
                }
                if buffer.readableBytes > 0 { try await writer.write(buffer) }
                progress(1)
            }
            let rows = try await connection.query(
                """
                WITH fresh AS (
                    INSERT INTO event_ids (id, workspace_id)
                    SELECT DISTINCT i.id, \(workspace.uuid)::uuid FROM herald_incoming_events i
                    ON CONFLICT (id) DO NOTHING
                    RETURNING id
                ), inserted AS (
                    INSERT INTO events (id, workspace_id, campaign_id, variant_id, kind, occurred_at, value)
                    SELECT DISTINCT ON (i.id) i.id, v.workspace_id, v.campaign_id, i.variant_id, i.kind,
                           to_timestamp(i.occurred_epoch), i.value
                    FROM herald_incoming_events i
                    JOIN fresh f ON f.id = i.id
                    JOIN variants v ON v.id = i.variant_id AND v.workspace_id = \(workspace.uuid)
                    ORDER BY i.id
                    RETURNING workspace_id, campaign_id, variant_id, kind, occurred_at, value
                ), rolled AS (
                    INSERT INTO variant_hourly AS h
                        (workspace_id, campaign_id, variant_id, hour, kind, count, value_sum, value_sum_sq)
                    SELECT workspace_id, campaign_id, variant_id, date_trunc('hour', occurred_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
                           kind, count(*), coalesce(sum(value), 0), coalesce(sum(value * value), 0)
                    FROM inserted
                    GROUP BY 1, 2, 3, 4, 5
                    ORDER BY 3, 4, 5
                    ON CONFLICT (variant_id, hour, kind) DO UPDATE
                    SET count = h.count + EXCLUDED.count,
                        value_sum = h.value_sum + EXCLUDED.value_sum,
                        value_sum_sq = h.value_sum_sq + EXCLUDED.value_sum_sq
                )
                SELECT count(*)::bigint FROM inserted
                """,
                logger: logger
            )
            var count = 0
            for try await value in rows.decode(Int.self) { count = value }
            return count
        }
        return IngestResult(accepted: accepted, duplicates: events.count - accepted)
    }

    /// Creates the month partitions the times fall in, and the next month's, each unless it exists.
    func ensurePartitions(covering times: [Date]) async throws {
        var months = Set<Int>()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for time in times {
            let parts = calendar.dateComponents([.year, .month], from: time)
            months.insert(parts.year! * 12 + parts.month! - 1)
        }
        if let last = months.max() { months.insert(last + 1) }
        for month in months.sorted() {
            let start = calendar.date(from: DateComponents(year: month / 12, month: month % 12 + 1, day: 1))!
            try await database.client.query("SELECT herald_ensure_event_partition(\(start))", logger: database.logger)
        }
    }

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
}
