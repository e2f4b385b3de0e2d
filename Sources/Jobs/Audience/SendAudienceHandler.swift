import Foundation
import HeraldCore
import Logging
import Scheduling
import Storage

/// Makes the messages of one send phase of an audience campaign (``SendAudiencePayload``): for each of its audience
/// channel's contacts (``Campaign/audienceChannel``: email, or SMS) in the phase, one message with the contact's variant
/// (or, for the rest, the winner), then enqueues the `send_messages` job that sends them. Running it again adds nothing
/// (one message per campaign and contact, ever).
///
/// Send time per contact: with a `send_window`, a contact whose engagement history says enough is due at their best
/// local hour inside the window (``ContactSendPlanner``), everyone else at the phase's time; `send_messages` sends each
/// message only once it is due and comes back for the next.
public struct SendAudienceHandler: JobHandler {
    public init() {}

    public func run(_ job: ClaimedJob, payload: SendAudiencePayload, context: JobContext) async throws {
        let campaign = try await payload.campaign(in: context)
        let metadata: Logger.Metadata = ["herald.campaign": "\(campaign.slug)", "herald.send.phase": "\(payload.phase.rawValue)"]
        guard let audience = campaign.audience else {
            throw PermanentJobError("campaign \(campaign.slug) has no audience: give it audience: {list: NAME} to send to a list")
        }
        guard let channel = campaign.audienceChannel else {
            throw PermanentJobError("campaign \(campaign.slug) sends to its audience by email or SMS, and has neither channel")
        }
        if campaign.status == .paused {
            throw PostponeJob(until: context.clock.now().addingTimeInterval(SendMessagesHandler.pausedRecheck), reason: "the campaign is paused")
        }
        guard campaign.status.publishes else {
            context.logger.info("audience send skipped: the campaign does not send in its state", metadata: metadata)
            return
        }
        let store = MessageStore(context.database)
        let target = try await store.audienceTarget(campaign: campaign.id)
        guard let list = target.list else {
            throw PermanentJobError(
                "the list \"\(audience.list)\" of campaign \(campaign.slug) no longer exists: create it with `herald lists create \(audience.list)`"
            )
        }
        let now = context.clock.now()
        let settings = try audience.testThenSend
        var sendTimes: (@Sendable ([MessageStore.Recipient]) async throws -> [UUID: Date])?
        if let window = settings.sendWindow {
            let history = ContactEngagementHistory(context.database, workspace: campaign.workspaceID)
            let planner = ContactSendPlanner(history: history, window: window, campaignTime: now)
            sendTimes = { try await planner.plan($0) }
        }
        // The review gate: only approved variants are sent; the rest of the split goes to them.
        let written = campaign.variants(for: channel)
        let variants = written.filter(\.review.publishes)
        let held = written.filter { !$0.review.publishes }
        if !held.isEmpty {
            context.logger.warning(
                "audience send leaves out variants that are not approved",
                metadata: metadata.merging([
                    "herald.variants.not_approved": "\(held.map { "\($0.key) (\($0.review.rawValue))" }.joined(separator: ", "))"
                ]) {
                    $1
                }
            )
        }
        guard !variants.isEmpty else {
            throw PermanentJobError(
                "campaign \(campaign.slug) has no approved \(channel.rawValue) variant (\(held.map { "\($0.key) is \($0.review.rawValue)" }.joined(separator: ", "))): "
                    + "approve one with `herald variants approve ID`, then publish again"
            )
        }
        let shares = CampaignSplit.shares(of: variants)
        let made = try await store.fanOut(
            campaign: campaign.id,
            workspace: campaign.workspaceID,
            list: list,
            channel: channel,
            phase: payload.phase,
            variants: variants.map { (id: $0.id, weight: shares[$0.id] ?? 0) },
            testShare: audience.testShare,
            winner: target.winner,
            segment: audience.segment,
            sendAt: now,
            sendTimes: sendTimes
        )
        context.logger.info(
            "audience messages made",
            metadata: metadata.merging(["herald.send.considered": "\(made.considered)", "herald.send.created": "\(made.created)"]) { $1 }
        )
        var jobs = [SendMessagesHandler.job(for: campaign, at: now)]
        if payload.phase == .test {
            // The test's first look: after one look interval, or at the deadline when that comes first.
            let first = now.addingTimeInterval(min(settings.decideEvery, settings.decideWithin))
            jobs.append(DecideWinnerHandler.look(1, campaign: campaign.id, workspace: campaign.workspaceID, at: first, testStartedAt: now))
        }
        try await JobQueue(context.database).enqueue(jobs)
    }
}
