import Foundation
import HeraldCore
import PostgresNIO

extension EventIngestor {
    /// Stores a batch of answered tracking hits (from any workspaces), in one transaction: the hits that count
    /// (``TrackingDeduplicator``: repeated hits of one link by one client within the window count once) become events,
    /// each once by its id, bots' with `is_bot` and left out of the rollups.
    ///
    /// This is the group commit behind `GET /r/{code}` and `GET /p/{code}.gif`: the redirect is answered once the hit is
    /// in the tracking spool, and a flusher hands the hits answered meanwhile to this in one go. The decisions and the
    /// events commit together, so a batch that failed (the database went away) or was stored already (a spool replayed
    /// after a crash) can be handed over again: nothing is counted twice and nothing answered is lost.
    ///
    /// - Parameters:
    ///   - hits: Hits in any order; a hit whose id was stored before is skipped.
    ///   - database: Where to store them.
    ///   - deduplicator: Decides which hits count (its window; its salts hash hits that kept their client's address).
    /// - Returns: For each hit, whether it counted (and was stored, unless its id was stored already).
    public static func record(_ hits: [TrackingHit], database: Database, deduplicator: TrackingDeduplicator) async throws -> [Bool] {
        guard !hits.isEmpty else { return [] }
        // The hits that kept who made them, and where they are in `hits` (the others count: deduplication was off).
        var candidates: [TrackingDeduplicator.Candidate] = []
        var positions: [Int] = []
        if deduplicator.window > .zero {
            for (position, hit) in hits.enumerated() {
                guard let hash = try await deduplicator.hash(of: hit) else { continue }
                candidates.append(.init(workspace: hit.workspace, hash: hash, time: hit.occurredAt))
                positions.append(position)
            }
            if !candidates.isEmpty { try await deduplicator.pruneIfDue(at: Date()) }
        }
        let times = hits.map(\.occurredAt)
        let partitions = PartitionManager(database)
        try await partitions.ensure(covering: times)
        let logger = database.logger
        return try await partitions.retryingOnMissingPartition(covering: times) {
            try await database.transaction { connection in
                var counts = Array(repeating: true, count: hits.count)
                if !candidates.isEmpty {
                    for (position, decision) in zip(positions, try await deduplicator.decide(candidates, on: connection, logger: logger)) {
                        counts[position] = decision
                    }
                }
                // One statement per workspace and bot flag, workspaces in one order (concurrent batches lock alike).
                var groups: [UUID: [Bool: [TrackingHit]]] = [:]
                for (hit, counts) in zip(hits, counts) where counts {
                    groups[hit.workspace.uuid, default: [:]][hit.isBot, default: []].append(hit)
                }
                for workspace in groups.keys.sorted(by: EventRows.precedes) {
                    for (isBot, group) in groups[workspace]!.sorted(by: { !$0.key && $1.key }) {
                        let events = EventRows.uniqueSortedByID(group.map(\.event))
                        let campaigns = Dictionary(group.map { ($0.variant, $0.campaign) }, uniquingKeysWith: { first, _ in first })
                        let columns = EventRows.ColumnArrays(events, campaigns: campaigns)
                        _ = try await EventStore.count(
                            connection.query(EventStatements.storeNewOnly(columns, workspace: WorkspaceID(workspace), isBot: isBot), logger: logger)
                        )
                    }
                }
                // An unsubscribe from a message takes effect with its event, counted or not (a repeat changes nothing).
                var unsubscribes: [(message: UUID, source: String, at: Date)] = []
                for hit in hits where hit.kind == .unsubscribe {
                    if let message = hit.message { unsubscribes.append((message, hit.detail ?? "unsubscribe_page", hit.occurredAt)) }
                }
                if !unsubscribes.isEmpty { try await MessageStore.unsubscribe(unsubscribes, on: connection, logger: logger) }
                return counts
            }
        }
    }
}
