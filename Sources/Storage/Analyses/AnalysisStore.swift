import Foundation
import HeraldCore
import PostgresNIO

/// A stored analysis of a campaign: the score result JSON and when it was made.
public struct StoredAnalysis: Sendable, Equatable {
    public var id: UUID
    public var campaign: CampaignID
    public var createdAt: Date
    /// The result as stored (JSON text).
    public var resultJSON: String
}

/// Reads the analyses that `analyze` jobs store, within one workspace.
public struct AnalysisStore: Sendable {
    let database: Database
    public let workspace: WorkspaceID

    public init(_ database: Database, workspace: WorkspaceID) {
        self.database = database
        self.workspace = workspace
    }

    /// The newest analyses of the campaign, newest first.
    public func recent(campaign: CampaignID, limit: Int = 20) async throws -> [StoredAnalysis] {
        let rows = try await database.client.query(
            """
            SELECT id, campaign_id, created_at, result::text FROM analyses
            WHERE workspace_id = \(workspace.uuid) AND campaign_id = \(campaign.uuid)
            ORDER BY created_at DESC LIMIT \(min(max(limit, 1), 200))
            """,
            logger: database.logger
        )
        var analyses: [StoredAnalysis] = []
        for try await (id, campaign, created, result) in rows.decode((UUID, UUID, Date, String).self) {
            analyses.append(StoredAnalysis(id: id, campaign: CampaignID(campaign), createdAt: created, resultJSON: result))
        }
        return analyses
    }
}
