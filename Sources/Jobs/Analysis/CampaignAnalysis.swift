import Analytics
import Foundation
import HeraldCore
import PostgresNIO
import Reports
import Storage

/// Reads a campaign's counts from the rollups, scores them, stores the analysis, and builds the report model.
public struct CampaignAnalysis: Sendable {
    let database: Database
    let workspace: WorkspaceID

    public init(database: Database, workspace: WorkspaceID) {
        self.database = database
        self.workspace = workspace
    }

    /// The outcome of one analysis.
    public struct Outcome: Sendable {
        public var campaign: Campaign
        public var input: ScoreInput
        public var score: ScoreResult
        public var report: ReportModel
    }

    /// Scores the campaign from its rollups, stores the result in `analyses`, and builds its report model.
    public func analyze(_ campaign: Campaign, alpha: Double = 0.05, now: Date, notes: [String] = []) async throws -> Outcome {
        let events = EventStore(database, workspace: workspace)
        let totals = try await events.totals(campaign: campaign.id, metric: campaign.primaryMetric)
        let input = ScoreInput(
            control: campaign.variants.first?.key,
            arms: totals.map { ScoreInput.Arm(id: $0.key, trials: $0.impressions, successes: $0.successes) },
            alpha: alpha
        )
        let score = try Scorer.score(input)
        let daily = try await events.daily(campaign: campaign.id, metric: campaign.primaryMetric)
        let report = ReportModel(
            campaign: campaign,
            score: score,
            alpha: alpha,
            days: Self.days(daily, variants: campaign.variants.map(\.id)),
            generatedAt: now,
            notes: notes
        )
        let json = String(decoding: try JSONEncoder().encode(score), as: UTF8.self)
        try await database.client.query(
            """
            INSERT INTO analyses (workspace_id, campaign_id, result)
            VALUES (\(workspace.uuid), \(campaign.id.uuid), \(json)::jsonb)
            """,
            logger: database.logger
        )
        return Outcome(campaign: campaign, input: input, score: score, report: report)
    }

    /// Folds per-variant daily rows into one row per day with a column per variant.
    public static func days(_ rows: [EventStore.DailyCount], variants: [VariantID]) -> [ReportModel.Day] {
        let position = Dictionary(uniqueKeysWithValues: variants.enumerated().map { ($1, $0) })
        var byDay: [Date: ReportModel.Day] = [:]
        for row in rows {
            guard let index = position[row.variant] else { continue }
            var day = byDay[row.day] ?? ReportModel.Day(
                day: row.day,
                impressions: Array(repeating: 0, count: variants.count),
                successes: Array(repeating: 0, count: variants.count)
            )
            day.impressions[index] += row.impressions
            day.successes[index] += row.successes
            byDay[row.day] = day
        }
        return byDay.values.sorted { $0.day < $1.day }
    }
}
