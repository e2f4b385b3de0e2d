import HeraldCore
import Logging
import Scheduling
import Storage

/// Analyzes a campaign (``AnalyzePayload``) from its rollups and stores the result in `analyses`.
///
/// The stored analysis and the job's completion commit in one transaction: a rescued job never stores it twice. Then
/// autopilot acts on it (``AutopilotRunner``) when the campaign's autopilot is on.
public struct AnalyzeHandler: JobHandler {
    public init() {}

    public func run(_ job: ClaimedJob, payload: AnalyzePayload, context: JobContext) async throws {
        let campaign = try await payload.campaign(in: context)
        let now = context.clock.now()
        let outcome = try await CampaignAnalysis(database: context.database, workspace: payload.workspace)
            .analyze(campaign, now: now, completing: context.completion(of: job))
        // The analysis and the job's completion have committed: autopilot acts on it once (its plan is recorded under
        // the analysis's id); a failure here is logged, and the next analysis plans again.
        do {
            try await AutopilotRunner(database: context.database, workspace: payload.workspace, logger: context.logger)
                .run(after: outcome, now: now)
        } catch {
            context.logger.error(
                "autopilot could not act on the analysis",
                metadata: ["herald.campaign.id": "\(campaign.id)", "herald.error": "\(error)"]
            )
        }
    }
}
