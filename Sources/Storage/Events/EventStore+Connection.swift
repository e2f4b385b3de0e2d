import Foundation
import HeraldCore
import Logging
import PostgresNIO

extension EventStore {
    /// Stores events of one campaign on `connection`, inside the caller's transaction (a message's state and the event it
    /// stands for commit together), through the statement every ingest path uses
    /// (``EventStatements/storeNewOnly(_:workspace:isBot:)``): ids stored before are skipped, rollups included.
    ///
    /// The month partitions of the events' times must exist (``PartitionManager/ensure(covering:)`` before the transaction).
    ///
    /// - Returns: How many were new.
    static func storeNew(
        _ events: [EngagementEvent],
        campaign: CampaignID,
        workspace: WorkspaceID,
        isBot: Bool = false,
        on connection: PostgresConnection,
        logger: Logger
    ) async throws -> Int {
        let batch = EventRows.uniqueSortedByID(events)
        let campaigns = Dictionary(batch.map { ($0.variantID, campaign) }, uniquingKeysWith: { first, _ in first })
        let columns = EventRows.ColumnArrays(batch, campaigns: campaigns)
        return try await count(connection.query(EventStatements.storeNewOnly(columns, workspace: workspace, isBot: isBot), logger: logger))
    }
}
