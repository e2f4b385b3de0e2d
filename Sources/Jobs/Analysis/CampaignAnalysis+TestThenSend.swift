import Foundation
import HeraldCore
import Reports
import Storage

extension CampaignAnalysis {
    /// A test-then-send campaign's test sizes, winner and send to the rest; nil for a campaign without a test share.
    static func testThenSendSummary(_ database: Database, workspace: WorkspaceID, campaign: Campaign) async throws -> TestThenSendSummary? {
        let store = CampaignStore(database, workspace: workspace)
        let stored: CampaignStore.TestPhase?
        do {
            stored = try await store.testPhase(of: campaign.id)
        } catch is ValidationError {
            // Settings stored wrong stop the `decide_winner` job, which says why; the report is still made without them.
            return nil
        }
        guard let phase = stored, let share = phase.settings.testShare else { return nil }
        let counts = try await store.testThenSendCounts(of: campaign.id)
        return TestThenSendSummary(
            testShare: share,
            testSizes: counts.testByVariant.map { TestThenSendSummary.TestSize(variant: $0.key, messages: $0.messages) },
            deadline: phase.deadline,
            winner: phase.winner.map {
                TestThenSendSummary.Winner(variant: $0.variantKey, chosenAt: $0.chosenAt, chosenBy: $0.chosenBy, reason: $0.reason)
            },
            restMessages: counts.restMessages,
            restSent: counts.restSent
        )
    }
}
