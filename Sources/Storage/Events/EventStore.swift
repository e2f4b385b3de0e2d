import Foundation
import HeraldCore
import NIOCore
import Logging
import PostgresNIO
import Synchronization

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

    /// The campaign of every variant of the workspace: what incoming events may refer to.
    public func variantCampaigns() async throws -> [VariantID: CampaignID] {
        let rows = try await database.client.query(
            "SELECT id, campaign_id FROM variants WHERE workspace_id = \(workspace.uuid)",
            logger: database.logger
        )
        var campaigns: [VariantID: CampaignID] = [:]
        for try await (variant, campaign) in rows.decode((UUID, UUID).self) { campaigns[VariantID(variant)] = CampaignID(campaign) }
        return campaigns
    }

    /// Stores validated events atomically: all new ones or none; duplicates by id are skipped and counted.
    ///
    /// For batches that fit in memory (an API request). Repeats within the batch are dropped first (the
    /// first of each id is kept) and the rest sorted by id, so concurrent batches take the idempotency
    /// keys in one order. Then one statement, with every column bound as a binary array:
    ///
    /// - **Fast path** (every id new, the usual case): insert the ids into `event_ids` (the global
    ///   idempotency key), the events into `events`, and add their hourly totals to `variant_hourly`.
    /// - **Fallback** (an id was stored before, or another batch holds it, so the first statement failed
    ///   whole): one statement (one per 50,000 events, in a transaction) claims only the new ids
    ///   (`ON CONFLICT DO NOTHING`), inserts those events and rolls them up.
    ///
    /// Either way a concurrent batch with the same id waits on its unique index, so each event is
    /// counted once in events and rollups. Month partitions are made first, in short transactions of
    /// their own. (Big loads take ``ingest(chunks:campaigns:progress:)``, which streams by COPY.)
    ///
    /// - Parameters:
    ///   - events: Events already validated (see ``EventAcceptancePolicy``).
    ///   - progress: Called with the fraction of rows sent to the server.
    ///   - campaigns: The campaign of each variant the events name, when the caller looked them up already
    ///     (see ``campaignsOf(_:)``); looked up here otherwise.
    public func ingest(
        _ events: [EngagementEvent],
        campaigns known: [VariantID: CampaignID]? = nil,
        progress: @Sendable (Double) -> Void = { _ in }
    ) async throws -> IngestResult {
        guard !events.isEmpty else { return IngestResult(accepted: 0, duplicates: 0) }
        let batch = EventRows.uniqueSortedByID(events)
        try await ensurePartitions(covering: batch.map(\.occurredAt))
        var campaigns = known ?? [:]
        if known == nil { campaigns = try await campaignsOf(Set(batch.map(\.variantID))) }
        do {
            return try await store(batch, received: events.count, campaigns: campaigns, progress: progress)
        } catch where StorageError.sqlState(error) == "23514" {
            // A partition this process thought existed is gone: make it again, once.
            forgetPartitions()
            try await ensurePartitions(covering: batch.map(\.occurredAt))
            return try await store(batch, received: events.count, campaigns: campaigns, progress: progress)
        }
    }

    /// Stores events while they are still being read, atomically: all new ones or none.
    ///
    /// For big loads (`herald import events`): reading and checking the input overlaps with the database's
    /// work instead of preceding it. In one transaction, the ids are sent to `event_ids` by COPY as each
    /// chunk arrives (repeats within the input dropped, the first kept); once the input has ended, the events
    /// follow by COPY into `events` and the hourly totals, summed here meanwhile, are added in one upsert.
    /// If an id was stored before or another batch holds it, everything is rolled back, the rest of the
    /// input is read and the whole batch goes through the fallback of ``ingest(_:campaigns:progress:)``,
    /// in id order.
    ///
    /// - Parameters:
    ///   - next: The next chunk of validated events, `nil` at the end. An error it throws (a bad row)
    ///     rolls everything back and is rethrown.
    ///   - campaigns: The campaign of every variant the events may name.
    ///   - progress: Called with the fraction of events sent once the input has been read.
    public func ingest(
        chunks next: () throws -> [EngagementEvent]?,
        campaigns: [VariantID: CampaignID],
        progress: @Sendable (Double) -> Void = { _ in }
    ) async throws -> IngestResult {
        let workspace = self.workspace
        let logger = database.logger
        var batch: [EngagementEvent] = []
        var received = 0
        var seen = Set<EventID>()
        var rollup = EventRows.HourlyRollup()
        /// Reads the next chunk, keeping the events whose id is new to this input (summed while the database works).
        func readChunk() throws -> [EngagementEvent]? {
            guard let chunk = try next() else { return nil }
            received += chunk.count
            let fresh = chunk.filter { seen.insert($0.id).inserted }
            batch += fresh
            rollup.add(fresh)
            return fresh
        }
        let started = ContinuousClock.now
        do {
            let accepted: Int = try await database.transaction { connection in
                try await EventRows.copyBinary(into: "event_ids", columns: ["id", "workspace_id"], connection: connection, logger: logger) { writer in
                    var buffer = ByteBuffer()
                    buffer.reserveCapacity(1 << 18)
                    while let chunk = try readChunk() {
                        for event in chunk {
                            EventRows.appendIDRow(event.id, workspace: workspace, to: &buffer)
                        }
                        try await writer.write(buffer)
                        buffer.clear()
                    }
                }
                guard !batch.isEmpty else { return 0 }
                let idsSent = ContinuousClock.now
                // Missing month partitions are made in short transactions of their own; attaching one does
                // not wait for transactions writing events (see migration 0007), so holding ids meanwhile is safe.
                try await ensurePartitions(covering: batch.map(\.occurredAt))
                let partitionsReady = ContinuousClock.now
                try await EventRows.copyEvents(batch, workspace: workspace, campaigns: campaigns, connection: connection, logger: logger, progress: progress)
                let eventsSent = ContinuousClock.now
                try await rollup.add(to: connection, workspace: workspace, campaigns: campaigns, logger: logger)
                logger.debug(
                    "streamed events",
                    metadata: [
                        "herald.rows": "\(batch.count)", "herald.read_and_copy_ids": "\(idsSent - started)",
                        "herald.partitions": "\(partitionsReady - idsSent)", "herald.copy_events": "\(eventsSent - partitionsReady)",
                        "herald.rollup": "\(ContinuousClock.now - eventsSent)",
                    ]
                )
                return batch.count
            }
            return IngestResult(accepted: accepted, duplicates: received - accepted)
        } catch where ["23505", "40P01", "23514"].contains(StorageError.sqlState(error) ?? "") {
            // Everything was rolled back. An id was stored before (a replay) or by a concurrent batch, or a
            // partition this process thought existed is gone (forgotten, so it is made again): read the
            // rest of the input, then take only the new ones.
            if StorageError.sqlState(error) == "23514" { forgetPartitions() }
            while try readChunk() != nil {}
            let sorted = EventRows.sortedByID(batch)  // repeats were dropped while reading
            try await ensurePartitions(covering: sorted.map(\.occurredAt))
            let accepted = try await storeNewOnly(sorted, campaigns: campaigns)
            progress(1)
            return IngestResult(accepted: accepted, duplicates: received - accepted)
        }
    }

    /// Stores a batch without repeats, sorted by id (see ``ingest(_:campaigns:progress:)``).
    ///
    /// One statement, so one round trip and atomic by itself: every column travels as a binary array;
    /// the ids go into `event_ids`, the events into `events`, and their hourly totals into
    /// `variant_hourly`. If an id was stored before (a replay) or by a concurrent batch, the statement
    /// fails whole and ``storeNewOnly(_:campaigns:columns:statementRows:)`` takes only the new ones.
    func store(
        _ batch: [EngagementEvent], received: Int, campaigns: [VariantID: CampaignID], progress: @Sendable (Double) -> Void
    ) async throws -> IngestResult {
        let (client, logger, workspace) = (database.client, database.logger, self.workspace)
        let columns = EventRows.ColumnArrays(batch, campaigns: campaigns)
        var accepted = batch.count
        do {
            try await client.query(
                """
                WITH incoming AS MATERIALIZED (
                    SELECT r.id, r.campaign, r.variant, r.kind, timestamptz '2000-01-01 00:00:00+00' + r.micros * interval '1 microsecond' AS at,
                           nullif(r.value, 'NaN'::float8) AS value
                    FROM unnest(\(columns.ids)::uuid[], \(columns.campaigns)::uuid[], \(columns.variants)::uuid[], \(columns.kinds)::text[],
                                \(columns.times)::int8[], \(columns.values)::float8[]) AS r(id, campaign, variant, kind, micros, value)
                ), ids AS (
                    INSERT INTO event_ids (id, workspace_id) SELECT i.id, \(workspace.uuid)::uuid FROM incoming i
                ), stored AS (
                    INSERT INTO events (id, workspace_id, campaign_id, variant_id, kind, occurred_at, value)
                    SELECT i.id, \(workspace.uuid)::uuid, i.campaign, i.variant, i.kind, i.at, i.value FROM incoming i
                )
                INSERT INTO variant_hourly AS h (workspace_id, campaign_id, variant_id, hour, kind, count, value_sum, value_sum_sq)
                SELECT \(workspace.uuid)::uuid, campaign, variant, date_trunc('hour', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
                       kind, count(*), coalesce(sum(value), 0), coalesce(sum(value * value), 0)
                FROM incoming
                GROUP BY 2, 3, 4, 5
                ORDER BY 3, 4, 5
                ON CONFLICT (variant_id, hour, kind) DO UPDATE
                SET count = h.count + EXCLUDED.count,
                    value_sum = h.value_sum + EXCLUDED.value_sum,
                    value_sum_sq = h.value_sum_sq + EXCLUDED.value_sum_sq
                """,
                logger: logger
            )
        } catch where ["23505", "40P01"].contains(StorageError.sqlState(error) ?? "") {
            accepted = try await storeNewOnly(batch, campaigns: campaigns, columns: columns)
        }
        progress(1)
        return IngestResult(accepted: accepted, duplicates: received - accepted)
    }

    /// The campaign of each variant, all of which must be this workspace's.
    ///
    /// - Throws: ``ValidationError`` on `variant_id` for a variant that is not (or no longer) the workspace's.
    public func campaignsOf(_ variants: Set<VariantID>) async throws -> [VariantID: CampaignID] {
        let campaigns = try await campaigns(among: variants)
        if let missing = variants.first(where: { campaigns[$0] == nil }) {
            throw ValidationError(field: "variant_id", reason: "\(missing) is not a variant of this workspace")
        }
        return campaigns
    }

    /// Stores the events whose id is not stored yet, their rollups included; returns how many.
    ///
    /// One statement for a batch of up to `statementRows` events, else one per that many in a transaction
    /// (a statement's parameters must stay well under PostgreSQL's 1 GB message limit). The batch must be
    /// free of repeats and sorted by id: concurrent batches then claim ids in one order. A batch whose ids
    /// another batch is storing waits for it, then skips what it stored. Chosen as a deadlock's victim (its
    /// rollup rows are locked after its ids, a first attempt's before), it was rolled back whole and is
    /// stored again after a short random pause, up to five times in all.
    func storeNewOnly(
        _ batch: [EngagementEvent], campaigns: [VariantID: CampaignID], columns known: EventRows.ColumnArrays? = nil,
        statementRows: Int = 50_000
    ) async throws -> Int {
        let (client, logger, workspace) = (database.client, database.logger, self.workspace)
        var attempt = 1
        while true {
            do {
                if batch.count <= statementRows {
                    let columns = known ?? EventRows.ColumnArrays(batch, campaigns: campaigns)
                    return try await Self.count(client.query(Self.newOnlyStatement(columns, workspace: workspace), logger: logger))
                }
                return try await database.transaction { connection in
                    var stored = 0
                    for start in stride(from: 0, to: batch.count, by: statementRows) {
                        let columns = EventRows.ColumnArrays(Array(batch[start..<min(start + statementRows, batch.count)]), campaigns: campaigns)
                        stored += try await Self.count(connection.query(Self.newOnlyStatement(columns, workspace: workspace), logger: logger))
                    }
                    return stored
                }
            } catch where StorageError.sqlState(error) == "40P01" && attempt < 5 {
                attempt += 1
                logger.debug("deadlock victim; storing the batch again", metadata: ["herald.attempt": "\(attempt)"])
                try await Task.sleep(for: .milliseconds(Int.random(in: 5...25) * attempt))  // let the other one finish
            }
        }
    }

    /// The single value of a `count(*)` query.
    static func count(_ rows: PostgresRowSequence) async throws -> Int {
        var count = 0
        for try await value in rows.decode(Int.self) { count = value }
        return count
    }

    /// See ``storeNewOnly(_:campaigns:columns:statementRows:)``.
    static func newOnlyStatement(_ columns: EventRows.ColumnArrays, workspace: WorkspaceID) -> PostgresQuery {
        """
            WITH incoming AS MATERIALIZED (
                SELECT r.id, r.campaign, r.variant, r.kind, timestamptz '2000-01-01 00:00:00+00' + r.micros * interval '1 microsecond' AS at,
                           nullif(r.value, 'NaN'::float8) AS value
                FROM unnest(\(columns.ids)::uuid[], \(columns.campaigns)::uuid[], \(columns.variants)::uuid[], \(columns.kinds)::text[],
                            \(columns.times)::int8[], \(columns.values)::float8[]) AS r(id, campaign, variant, kind, micros, value)
            ), fresh AS (
                INSERT INTO event_ids (id, workspace_id)
                SELECT i.id, \(workspace.uuid)::uuid FROM incoming i
                ON CONFLICT (id) DO NOTHING
                RETURNING id
            ), inserted AS (
                INSERT INTO events (id, workspace_id, campaign_id, variant_id, kind, occurred_at, value)
                SELECT i.id, \(workspace.uuid)::uuid, i.campaign, i.variant, i.kind, i.at, i.value
                FROM incoming i
                JOIN fresh f ON f.id = i.id
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
            """
    }

    /// Creates the month partitions the times fall in, and the next month's, each unless it exists.
    ///
    /// Months known to exist in this database are remembered by the process, so a steady stream of
    /// batches costs no queries here; a partition dropped behind Herald's back is recreated by the
    /// retry in ``ingest(_:campaigns:progress:)``. Each is made in a short transaction of its own and
    /// attached without waiting for transactions that write events (migration 0007).
    public func ensurePartitions(covering times: [Date]) async throws {
        var months = Set<Int>()
        for time in times { months.insert(EventRows.month(of: time)) }
        if let last = months.max() { months.insert(last + 1) }
        let key = database.identity
        let missing = Self.ensuredMonths.withLock { known in months.subtracting(known[key, default: []]) }
        for month in missing.sorted() {
            try await database.client.execute("SELECT herald_ensure_event_partition(\(EventRows.start(ofMonth: month)))", logger: database.logger)
        }
        Self.ensuredMonths.withLock { $0[key, default: []].formUnion(missing) }
    }

    /// Months (`year * 12 + month - 1`) whose partition exists, by database.
    static let ensuredMonths = Mutex<[String: Set<Int>]>([:])

    /// Forgets what this process knew about the database's partitions.
    func forgetPartitions() {
        _ = Self.ensuredMonths.withLock { $0.removeValue(forKey: database.identity) }
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
