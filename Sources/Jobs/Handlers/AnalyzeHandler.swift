import HeraldCore
import Logging
import Scheduling
import Storage

/// Analyzes a campaign (``AnalyzePayload``) from its rollups and stores the result in `analyses`.
///
/// The stored analysis, autopilot's plan from it and the job's completion commit in one transaction: a rescued job never
/// stores it twice, and no analysis is stored without its plan. Then autopilot applies the plan in auto mode
/// (``AutopilotRunner``).
public struct AnalyzeHandler: JobHandler {
    public init() {}

    public func run(_ job: ClaimedJob, payload: AnalyzePayload, context: JobContext) async throws {
        let campaign = try await payload.campaign(in: context)
        let now = context.clock.now()
        let autopilot = AutopilotRunner(database: context.database, workspace: payload.workspace, logger: context.logger)
        // The analysis, autopilot's plan from it and the job's completion commit together; then auto mode applies the
        // plan. A failure to apply is logged and leaves the actions pending, where a person sees them.
        let outcome = try await CampaignAnalysis(database: context.database, workspace: payload.workspace)
            .analyze(campaign, now: now, completing: context.completion(of: job), autopilot: autopilot)
        do {
            try await autopilot.act(after: outcome, now: now)
        } catch {
            context.logger.error(
                "autopilot could not act on the analysis",
                metadata: ["herald.campaign.id": "\(campaign.id)", "herald.error": "\(error)"]
            )
        }
    }
}
