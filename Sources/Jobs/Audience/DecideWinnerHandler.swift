import Foundation
import HeraldCore
import Logging
import Scheduling
import Storage

/// One look at a test-then-send campaign's test (``DecideWinnerPayload``).
///
/// It runs the campaign's analysis (``CampaignAnalysis``, stored like any other) on the events so far (the test's
/// alone, since the rest is sent only once a winner is chosen) and decides (``WinnerDecision``): a winner is recorded
/// with ``CampaignStore/chooseWinner(_:variantKey:chosenBy:reason:at:completing:)``, which also queues the send to the
/// rest, and the job's completion commits with it; otherwise the next look is queued, committed with the completion.
/// A winner already chosen (by hand, or by another look) stops the job, and so do a campaign without a test share and
/// an ended or archived campaign.
public struct DecideWinnerHandler: JobHandler {
    public init() {}

    public func run(_ job: ClaimedJob, payload: DecideWinnerPayload, context: JobContext) async throws {
        let campaign = try await payload.campaign(in: context)
        let store = CampaignStore(context.database, workspace: payload.workspace)
        var logger = context.logger
        logger[metadataKey: "herald.campaign.id"] = "\(campaign.id)"
        logger[metadataKey: "herald.winner.look"] = "\(payload.look)"
        guard let phase = try await store.testPhase(of: campaign.id), phase.settings.testShare != nil else {
            logger.info("campaign has no test share: no winner to decide")
            return
        }
        guard campaign.status != .ended, campaign.status != .archived else {
            logger.info("campaign is \(campaign.status.rawValue): no winner to decide")
            return
        }
        if let winner = phase.winner {
            logger.info(
                "winner already chosen: nothing to decide",
                metadata: ["herald.winner.variant": "\(winner.variantKey)", "herald.winner.chosen_by": "\(winner.chosenBy)"]
            )
            return
        }
        let now = context.clock.now()
        // A test that made no message has no first message to count the deadline from: it counts from the test's send.
        let deadline = phase.deadline ?? payload.testStartedAt.map { $0.addingTimeInterval(phase.settings.decideWithin) }
        let candidates = campaign.audienceChannel.map { campaign.variants(for: $0).map(\.key) }
        let outcome = try await CampaignAnalysis(database: context.database, workspace: payload.workspace)
            .analyze(campaign, now: now, notes: ["Test-then-send: look \(payload.look) at the test."])
        let decision = WinnerDecision.decide(
            score: outcome.score,
            look: payload.look,
            deadline: deadline,
            now: now,
            every: phase.settings.decideEvery,
            candidates: candidates
        )
        switch decision {
        case .choose(let key, let chosenBy, let reason):
            let result = try await store.chooseWinner(
                campaign.id,
                variantKey: key,
                chosenBy: chosenBy,
                reason: reason,
                at: now,
                completing: context.completion(of: job)
            )
            switch result {
            case .chosen(let winner):
                logger.info(
                    "winner chosen; sending it to the rest",
                    metadata: ["herald.winner.variant": "\(winner.variantKey)", "herald.winner.chosen_by": "\(chosenBy)"]
                )
            case .alreadyChosen(let winner):
                logger.info(
                    "winner chosen meanwhile by \(winner.chosenBy): nothing to decide",
                    metadata: ["herald.winner.variant": "\(winner.variantKey)"]
                )
            }
        case .lookAgain(let at):
            try await JobQueue(context.database).enqueue(
                [Self.look(payload.look + 1, campaign: campaign.id, workspace: payload.workspace, at: at, testStartedAt: payload.testStartedAt)],
                completing: context.completion(of: job)
            )
            logger.debug("no winner yet; next look queued", metadata: ["herald.winner.next_look_at": "\(Timestamp.format(at))"])
        }
    }

    /// The job of look number `look` at `at`: unique per campaign and look, so a look is never queued twice.
    ///
    /// - Parameter testStartedAt: When the test phase was sent (its deadline counts from it if it made no message).
    public static func look(_ look: Int, campaign: CampaignID, workspace: WorkspaceID, at: Date, testStartedAt: Date? = nil) -> JobRequest {
        JobRequest(
            payload: DecideWinnerPayload(campaign: campaign, workspace: workspace, look: look, testStartedAt: testStartedAt),
            runAt: at,
            uniqueKey: "decide_winner:\(campaign):\(look)",
            workspace: workspace
        )
    }
}
