import HeraldCore
import Scheduling
import Storage

/// Analyzes a campaign (``AnalyzePayload``) from its rollups and stores the result in `analyses`.
///
/// The stored analysis and the job's completion commit in one transaction: a rescued job never stores it twice.
public struct AnalyzeHandler: JobHandler {
    public init() {}

    public func run(_ job: ClaimedJob, payload: AnalyzePayload, context: JobContext) async throws {
        let campaign = try await payload.campaign(in: context)
        _ = try await CampaignAnalysis(database: context.database, workspace: payload.workspace)
            .analyze(campaign, now: context.clock.now(), completing: context.completion(of: job))
    }
}
