import Foundation
import HeraldCore
import NIOCore
import PostgresNIO

/// Engagement events and their hourly rollups, within one workspace.
///
/// Events enter through ``EventIngestor``, which reads, looks up, checks and then stores them here.
public struct EventStore: Sendable {
    let database: Database
    /// The workspace every query is scoped to.
    public let workspace: WorkspaceID

    public init(_ database: Database, workspace: WorkspaceID) {
        self.database = database
        self.workspace = workspace
    }

    /// The campaign of each of `candidates` that is a variant of this workspace, or of every variant of the
    /// workspace when `candidates` is nil: what incoming events may refer to (one lookup for a whole batch).
    public func campaigns(among candidates: Set<VariantID>?) async throws -> [VariantID: CampaignID] {
        if let candidates, candidates.isEmpty { return [:] }
        let rows = try await database.client.query(
            """
            SELECT id, campaign_id FROM variants
            WHERE workspace_id = \(workspace.uuid) AND (\(candidates.map { $0.map(\.uuid) })::uuid[] IS NULL OR id = ANY(\(candidates.map { $0.map(\.uuid) })::uuid[]))
            """,
            logger: database.logger
        )
        var campaigns: [VariantID: CampaignID] = [:]
        for try await (variant, campaign) in rows.decode((UUID, UUID).self) { campaigns[VariantID(variant)] = CampaignID(campaign) }
        return campaigns
    }

    /// Stores events atomically: all new ones or none; duplicates by id are skipped and counted.
    ///
    /// For batches that fit in memory (an API request, a tracking hit). Repeats within the batch are dropped
    /// first (the first of each id is kept) and the rest sorted by id, so concurrent batches take the
    /// idempotency keys in one order. Then one statement, with every column bound as a binary array:
    ///
    /// - **Fast path** (every id new, the usual case): ``EventStatements/storeAll(_:workspace:isBot:)``
    ///   inserts the ids into `event_ids` (the global idempotency key), the events into `events`, and adds
    ///   their hourly totals to `variant_hourly`.
    /// - **Fallback** (an id was stored before, or another batch holds it, so the first statement failed
    ///   whole): ``storeNewOnly(_:campaigns:isBot:columns:statementRows:)`` claims only the new ids.
    ///
    /// Either way a concurrent batch with the same id waits on its unique index, so each event is counted
    /// once in events and rollups. Month partitions are made first, in short transactions of their own.
    ///
    /// - Parameters:
    ///   - events: Events already checked (see ``EventIngestor``).
    ///   - campaigns: The campaign of each variant the events name.
    ///   - isBot: The events come from a crawler or scanner: stored for audit, left out of the rollups.
    ///   - progress: Called with the fraction of rows sent to the server.
    func store(
        _ events: [EngagementEvent],
        campaigns: [VariantID: CampaignID],
        isBot: Bool = false,
        progress: @Sendable (Double) -> Void = { _ in }
    ) async throws -> IngestResult {
        guard !events.isEmpty else { return IngestResult(accepted: 0, duplicates: 0) }
        let batch = EventRows.uniqueSortedByID(events)
        let times = batch.map(\.occurredAt)
        let partitions = PartitionManager(database)
        try await partitions.ensure(covering: times)
        let accepted = try await partitions.retryingOnMissingPartition(covering: times) {
            let columns = EventRows.ColumnArrays(batch, campaigns: campaigns)
            do {
                try await database.client.execute(EventStatements.storeAll(columns, workspace: workspace, isBot: isBot), logger: database.logger)
                return batch.count
            } catch  where ["23505", "40P01"].contains(StorageError.sqlState(error) ?? "") {
                return try await storeNewOnly(batch, campaigns: campaigns, isBot: isBot, columns: columns)
            }
        }
        progress(1)
        return IngestResult(accepted: accepted, duplicates: events.count - accepted)
    }

    /// Stores events while they are still being read, atomically: all new ones or none.
    ///
    /// For big loads (`herald import events`): reading and checking the input overlaps with the database's
    /// work instead of preceding it. In one transaction, the ids are sent to `event_ids` by COPY as each
    /// chunk arrives (repeats within the input dropped, the first kept); once the input has ended, the events
    /// follow by COPY into `events` and the hourly totals, summed here meanwhile, are added in one upsert.
    /// If an id was stored before or another batch holds it, everything is rolled back, the rest of the
    /// input is read and the whole batch goes through ``storeNewOnly(_:campaigns:isBot:columns:statementRows:)``,
    /// in id order.
    ///
    /// - Parameters:
    ///   - next: The next chunk of checked events, `nil` at the end. An error it throws (a bad row)
    ///     rolls everything back and is rethrown.
    ///   - campaigns: The campaign of every variant the events may name.
    ///   - progress: Called with the fraction of events sent once the input has been read.
    func store(
        chunks next: () throws -> [EngagementEvent]?,
        campaigns: [VariantID: CampaignID],
        progress: @Sendable (Double) -> Void = { _ in }
    ) async throws -> IngestResult {
        let workspace = self.workspace
        let logger = database.logger
        let partitions = PartitionManager(database)
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
                try await partitions.ensure(covering: batch.map(\.occurredAt))
                let partitionsReady = ContinuousClock.now
                try await EventRows.copyEvents(
                    batch,
                    workspace: workspace,
                    campaigns: campaigns,
                    connection: connection,
                    logger: logger,
                    progress: progress
                )
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
        } catch  where ["23505", "40P01", "23514"].contains(StorageError.sqlState(error) ?? "") {
            // Everything was rolled back. An id was stored before (a replay) or by a concurrent batch, or a
            // partition this process thought existed is gone (forgotten, so it is made again): read the
            // rest of the input, then take only the new ones.
            if StorageError.sqlState(error) == "23514" { partitions.forget() }
            while try readChunk() != nil {}
            let sorted = EventRows.sortedByID(batch)  // repeats were dropped while reading
            try await partitions.ensure(covering: sorted.map(\.occurredAt))
            let accepted = try await storeNewOnly(sorted, campaigns: campaigns)
            progress(1)
            return IngestResult(accepted: accepted, duplicates: received - accepted)
        }
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
        _ batch: [EngagementEvent],
        campaigns: [VariantID: CampaignID],
        isBot: Bool = false,
        columns known: EventRows.ColumnArrays? = nil,
        statementRows: Int = 50_000
    ) async throws -> Int {
        let (client, logger, workspace) = (database.client, database.logger, self.workspace)
        var attempt = 1
        while true {
            do {
                // With a deadline, in a transaction (which the deadline bounds and rolls back), never as one
                // statement that commits by itself.
                if batch.count <= statementRows && database.client.deadline == nil {
                    let columns = known ?? EventRows.ColumnArrays(batch, campaigns: campaigns)
                    return try await Self.count(
                        client.query(EventStatements.storeNewOnly(columns, workspace: workspace, isBot: isBot), logger: logger)
                    )
                }
                return try await database.transaction { connection in
                    var stored = 0
                    for start in stride(from: 0, to: batch.count, by: statementRows) {
                        let columns = EventRows.ColumnArrays(Array(batch[start..<min(start + statementRows, batch.count)]), campaigns: campaigns)
                        stored += try await Self.count(
                            connection.query(EventStatements.storeNewOnly(columns, workspace: workspace, isBot: isBot), logger: logger)
                        )
                    }
                    return stored
                }
            } catch  where StorageError.sqlState(error) == "40P01" && attempt < 5 {
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
}
