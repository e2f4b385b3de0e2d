import Channels
import Connectors
import Foundation
import HeraldCore
import Logging
import Storage

/// One fire of a campaign: per channel, the publications of the variants written for it, following the split, each
/// rendered with its own tracking link, and their `publish` jobs. A schedule's `publish_campaign` job and
/// `herald campaigns publish` both fire through this.
///
/// Idempotent per fire instant: publications are keyed `<campaign>:<fire>:<channel>` (one-post channels) or
/// `<campaign>:<fire>:<variant>:<channel>` (audience-splitting channels), so a repeated fire adds nothing.
public struct CampaignFire: Sendable {
    let database: Database
    /// Where this service is reached, for tracking links (`<publicURL>/r/<code>`).
    let publicURL: String
    let logger: Logger

    public init(database: Database, publicURL: String, logger: Logger) {
        self.database = database
        self.publicURL = publicURL
        self.logger = logger
    }

    /// Creates the fire's publications and enqueues their `publish` jobs; a campaign that does not publish (draft,
    /// paused, ended, archived) gets none.
    ///
    /// - Returns: The fire's publications (existing ones when the fire happened before).
    @discardableResult
    public func fire(_ campaign: Campaign, at time: Date, now: Date) async throws -> [Publication] {
        guard campaign.status.publishes else {
            logger.info(
                "campaign fire skipped: the campaign does not publish in its state",
                metadata: ["herald.campaign": "\(campaign.slug)", "herald.campaign.status": "\(campaign.status.rawValue)"]
            )
            return []
        }
        let store = PublicationStore(database)
        let campaigns = CampaignStore(database, workspace: campaign.workspaceID)
        let optOut = try await campaigns.smsOptOut()
        let accounts = campaign.dryRun ? [:] : try await campaigns.publishingAccounts(of: campaign.id)
        let fire = Timestamp.format(time)
        var publications: [Publication] = []
        // An email or SMS campaign with an audience sends messages to its list (the test share first, when it has one)
        // instead of posting publications; a dry run still rehearses through publications.
        let audienceChannel = campaign.dryRun ? nil : campaign.audienceChannel
        if audienceChannel != nil, let audience = campaign.audience {
            try await JobQueue(database).enqueue([Self.audienceJob(campaign, phase: audience.firstPhase, at: time)])
            try await campaigns.markRunning(campaign.id, now: now)
        }
        for channel in campaign.channels where channel != audienceChannel {
            // The review gate: only approved variants go out; the split is among them.
            let written = campaign.variants(for: channel)
            let variants = written.filter(\.review.publishes)
            let held = written.filter { !$0.review.publishes }
            if !held.isEmpty {
                logger.warning(
                    variants.isEmpty
                        ? "campaign fire publishes nothing on this channel: none of its variants is approved"
                        : "campaign fire leaves out variants that are not approved",
                    metadata: [
                        "herald.campaign": "\(campaign.slug)", "herald.channel": "\(channel.rawValue)",
                        "herald.variants.not_approved": "\(held.map { "\($0.key) (\($0.review.rawValue))" }.joined(separator: ", "))",
                    ]
                )
            }
            guard !variants.isEmpty else { continue }
            if channel.splitsAudience {
                let shares = CampaignSplit.shares(of: variants)
                for variant in variants where (shares[variant.id] ?? 0) > 0 {
                    let key = "\(campaign.id):\(fire):\(variant.key):\(channel.rawValue)"
                    publications.append(
                        try await store.create(
                            workspace: campaign.workspaceID,
                            campaign: campaign.id,
                            draft(campaign, variant, channel, at: time, key: key, share: shares[variant.id], optOut: optOut, accounts: accounts)
                        )
                    )
                }
            } else {
                let key = "\(campaign.id):\(fire):\(channel.rawValue)"
                let made = try await store.createNext(workspace: campaign.workspaceID, campaign: campaign.id, channel: channel, key: key) {
                    counts in
                    CampaignSplit.next(among: variants, published: counts).map {
                        draft(campaign, $0, channel, at: time, key: key, share: nil, optOut: optOut, accounts: accounts)
                    }
                }
                if let made { publications.append(made) }
            }
        }
        let requests = publications.filter { $0.status == "scheduled" }.map { publication in
            JobRequest(
                payload: PublishPayload(publication: publication.id),
                runAt: time,
                uniqueKey: "publish:\(publication.idempotencyKey)",
                workspace: campaign.workspaceID
            )
        }
        try await JobQueue(database).enqueue(requests)
        if !publications.isEmpty { try await campaigns.markRunning(campaign.id, now: now) }
        return publications
    }

    /// One publication of a variant on a channel, rendered with its tracking link, for people who post it
    /// themselves (`POST /v1/campaigns/{campaign}/publications`): no publish job is queued.
    ///
    /// - Throws: ``ValidationError`` on `channel` when the variant is not written for it; ``ConflictError`` when it is not
    ///   approved.
    public func publication(
        of variant: Campaign.Variant,
        in campaign: Campaign,
        on channel: HeraldCore.Channel,
        at time: Date,
        key: String
    ) async throws -> Publication {
        guard variant.goes(to: channel) else {
            throw ValidationError(
                field: "channel",
                reason:
                    "variant \(variant.key) is written for \(variant.channels.map(\.rawValue).joined(separator: ", ")), not \(channel.rawValue)"
            )
        }
        guard variant.review.publishes else {
            throw ConflictError(
                "variant \(variant.key) is \(variant.review.rawValue) review; only approved variants are published (approve it with `herald variants approve \(variant.id)`)"
            )
        }
        let optOut = try await CampaignStore(database, workspace: campaign.workspaceID).smsOptOut()
        return try await PublicationStore(database).create(
            workspace: campaign.workspaceID,
            campaign: campaign.id,
            draft(campaign, variant, channel, at: time, key: key, share: nil, optOut: optOut, accounts: [:], manual: true)
        )
    }

    /// A new publication of `variant` on `channel`: a fresh tracking code, and the post rendered with it.
    func draft(
        _ campaign: Campaign,
        _ variant: Campaign.Variant,
        _ channel: HeraldCore.Channel,
        at time: Date,
        key: String,
        share: Double?,
        optOut: String,
        accounts: [HeraldCore.Channel: UUID],
        manual: Bool = false
    ) -> PublicationStore.Draft {
        let code = TrackingLink.newCode()
        let links = PostRenderer.Links(
            click: campaign.destination == nil ? nil : TrackingLink.clickURL(base: publicURL, code: code),
            pixel: TrackingLink.pixelURL(base: publicURL, code: code)
        )
        let post = PostRenderer.render(variant, for: channel, links: links, smsOptOut: optOut)
        // Checked again as it goes out: the destination, the opt-out line or the public URL may have changed since the
        // variant was written. A post that breaks its channel's rules is stored failed, with the rule, and never sent.
        let check = ChannelRules.standard(for: channel).check(channel == .email ? post.subject ?? "" : post.text)
        var failure = check.violations.first.map { "\(channel == .email ? "subject" : "text") for \(channel.rawValue): \($0.message)" }
        var failureClass = failure == nil ? nil : "rules"
        // Never silent: a channel of a real (not dry-run) campaign without a connected account gets a failed
        // publication saying so, rather than nothing.
        if failure == nil, !campaign.dryRun, !manual, accounts[channel] == nil {
            failure =
                AccountKind(channel: channel) == nil
                ? "Herald cannot publish to \(channel.rawValue) yet: make the campaign a dry run or remove the channel"
                : "no connected \(channel.rawValue) account: connect one with `herald channels connect \(channel.rawValue) …`"
            failureClass = "no_account"
        }
        return PublicationStore.Draft(
            variant: variant.id,
            channel: channel,
            scheduledAt: time,
            idempotencyKey: key,
            trackingCode: code,
            text: post.text,
            subject: post.subject,
            preheader: post.preheader,
            audienceShare: share,
            failure: failure,
            failureClass: failureClass,
            account: accounts[channel]
        )
    }
}

extension CampaignFire {
    /// The `send_audience` job of a campaign's phase: one per campaign and phase while it waits or runs.
    public static func audienceJob(_ campaign: Campaign, phase: SendPhase, at time: Date) -> JobRequest {
        JobRequest(
            payload: SendAudiencePayload(campaign: campaign.id, workspace: campaign.workspaceID, phase: phase),
            runAt: time,
            uniqueKey: "send_audience:\(campaign.id):\(phase.rawValue)",
            workspace: campaign.workspaceID
        )
    }

    /// The public URL tracking links use when none is configured (`HERALD_PUBLIC_URL`, `serve --public-url`).
    public static let defaultPublicURL = "http://localhost:8080"
}
