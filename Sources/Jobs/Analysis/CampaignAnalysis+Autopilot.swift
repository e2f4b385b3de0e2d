import Autopilot
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
                    undoneBy: $0.undoneBy,
                    effect: effect(of: $0)
                )
            }
        )
    }

    /// What an action changes, in a few words, for the report's timeline: the split it sets, the arm it stops or
    /// declares, the posting hours before and after a schedule move.
    static func effect(of action: AutopilotStore.Action) -> String? {
        guard let decoded = try? JSONDecoder().decode(AutopilotAction.self, from: Data(action.actionJSON.utf8)) else { return nil }
        let hours = { (list: [Int]) in list.sorted().map(Autopilot.hourName).joined(separator: ", ") }
        switch decoded.change {
        case .setSplit(let split):
            return split.sorted { $0.key < $1.key }.map { "\($0.key) \(Int(($0.value * 100).rounded()))%" }.joined(separator: ", ")
        case .stopArm(let arm): return "\(arm) gets no more traffic"
        case .declareWinner(let arm): return "\(arm) takes every upcoming send"
        case .sendWinnerToRest(let arm): return "\(arm) goes to the rest of the audience"
        case .queueChallenger(let leader): return "a challenger written from \(leader)"
        case .moveSchedule(let to, let from): return "posting hours \(hours(from)) → \(hours(to))"
        }
    }
}
