import Foundation
import HeraldCore
import Reports
import Storage

extension CampaignAnalysis {
    /// What autopilot did so far (the actions of earlier analyses; this analysis's own come after it is stored), or nil
    /// when it is off and never acted.
    static func autopilotSummary(_ database: Database, workspace: WorkspaceID, campaign: Campaign) async throws -> AutopilotSummary? {
        let store = AutopilotStore(database, workspace: workspace)
        let settings = try await store.settings(campaign: campaign.id)
        let actions = try await store.actions(campaign: campaign.id)
        guard settings.mode != "off" || !actions.isEmpty else { return nil }
        return AutopilotSummary(
            mode: settings.mode,
            actions: actions.map {
                AutopilotSummary.Action(
                    at: $0.createdAt,
                    kind: $0.kind,
                    reason: $0.reason,
                    state: $0.state,
                    decidedBy: $0.decidedBy,
                    undoneBy: $0.undoneBy
                )
            }
        )
    }
}
