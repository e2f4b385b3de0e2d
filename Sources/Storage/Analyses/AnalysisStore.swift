import Foundation
import HeraldCore
import PostgresNIO

/// A stored analysis of a campaign: the score result JSON (without its report model) and when it was made.
public struct StoredAnalysis: Sendable, Equatable {
    public var id: UUID
    public var campaign: CampaignID
    public var createdAt: Date
    /// The result as stored (JSON text), less its `report` member.
    public var resultJSON: String
}

/// Stored analyses of a workspace's campaigns: each run's result JSON, newest last.
public struct AnalysisStore: Sendable {
    let database: Database
    public let workspace: WorkspaceID

    public init(_ database: Database, workspace: WorkspaceID) {
        self.database = database
        self.workspace = workspace
    }

    /// A campaign's latest report model, as JSON, and when it was made.
    public struct LatestReport: Sendable, Equatable {
        public var campaign: CampaignID
        public var createdAt: Date
        /// The `report` member of the analysis result (nil for analyses stored before reports were).
        public var reportJSON: String?
    }

    /// Stores one analysis: `resultJSON` (an object) with `reportJSON` under its `report` key.
    /// With `completing`, the analysis and the job's completion commit in one transaction (an `analyze` job's effect),
    /// and so does autopilot's `plan` for it (recorded pending under the analysis's `id`), so no analysis is stored
    /// without the plan made from it.
    /// - Returns: The stored analysis's id.
    @discardableResult
    public func insert(
        campaign: CampaignID,
        resultJSON: String,
        reportJSON: String,
        at time: Date,
        id: UUID = UUID(),
        completing: JobCompletion? = nil,
        plan: [AutopilotStore.Planned] = []
    ) async throws
        -> UUID
    {
        let query = Self.insertQuery(id: id, workspace: workspace, campaign: campaign, resultJSON: resultJSON, reportJSON: reportJSON, at: time)
        guard completing != nil || !plan.isEmpty else {
            try await database.client.query(query, logger: database.logger)
            return id
        }
        let workspace = workspace
        try await JobCompletion.run(completing, in: database) { connection in
            try await connection.execute(query, logger: database.logger)
            if !plan.isEmpty {
                try await connection.execute(
                    AutopilotStore.recordQuery(plan, workspace: workspace, campaign: campaign, analysis: id, at: time),
                    logger: database.logger
                )
            }
        }
        return id
    }

    /// The statement that stores one analysis.
    static func insertQuery(
        id: UUID,
        workspace: WorkspaceID,
        campaign: CampaignID,
        resultJSON: String,
        reportJSON: String,
        at time: Date
    )
        -> PostgresQuery
    {
        """
        INSERT INTO analyses (id, workspace_id, campaign_id, created_at, result, trials)
        VALUES (\(id), \(workspace.uuid), \(campaign.uuid), \(time), \(resultJSON)::jsonb || jsonb_build_object('report', \(reportJSON)::jsonb),
                (SELECT sum((arm->>'trials')::bigint) FROM jsonb_array_elements(\(resultJSON)::jsonb->'score'->'arms') AS arm))
        """
    }

    /// The totals of trials (all arms together) at the campaign's stored analyses, below `current`, each once and in
    /// increasing order: the earlier looks of its planned test (an analysis of the same counts is the same look).
    public func lookTotals(campaign: CampaignID, below current: Int) async throws -> [Int] {
        let rows = try await database.client.query(
            """
            SELECT DISTINCT trials FROM analyses
            WHERE workspace_id = \(workspace.uuid) AND campaign_id = \(campaign.uuid) AND trials > 0 AND trials < \(Int64(current))
            ORDER BY trials
            """,
            logger: database.logger
        )
        var totals: [Int] = []
        for try await total in rows.decode(Int64.self) { totals.append(Int(total)) }
        return totals
    }

    /// The latest analysis's report of one campaign, if it has one.
    public func latestReport(campaign: CampaignID) async throws -> LatestReport? {
        let rows = try await database.client.query(
            """
            SELECT campaign_id, created_at, (result->'report')::text
            FROM analyses WHERE workspace_id = \(workspace.uuid) AND campaign_id = \(campaign.uuid)
            ORDER BY created_at DESC, id LIMIT 1
            """,
            logger: database.logger
        )
        for try await (campaign, createdAt, json) in rows.decode((UUID, Date, String?).self) {
            return LatestReport(campaign: CampaignID(campaign), createdAt: createdAt, reportJSON: json)
        }
        return nil
    }

    /// The latest analysis's report of every campaign of the workspace that has one.
    public func latestReports() async throws -> [LatestReport] {
        let rows = try await database.client.query(
            """
            SELECT DISTINCT ON (campaign_id) campaign_id, created_at, (result->'report')::text
            FROM analyses WHERE workspace_id = \(workspace.uuid)
            ORDER BY campaign_id, created_at DESC, id
            """,
            logger: database.logger
        )
        var reports: [LatestReport] = []
        for try await (campaign, createdAt, json) in rows.decode((UUID, Date, String?).self) {
            reports.append(LatestReport(campaign: CampaignID(campaign), createdAt: createdAt, reportJSON: json))
        }
        return reports
    }

    /// The newest analyses of the campaign, newest first, without their report models (see ``latestReports()``).
    public func recent(campaign: CampaignID, limit: Int = 20) async throws -> [StoredAnalysis] {
        let rows = try await database.client.query(
            """
            SELECT id, campaign_id, created_at, (result - 'report')::text FROM analyses
            WHERE workspace_id = \(workspace.uuid) AND campaign_id = \(campaign.uuid)
            ORDER BY created_at DESC, id LIMIT \(min(max(limit, 1), 200))
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
