import Channels
import Connectors
import Foundation
import HeraldCore
import Logging
import Scheduling
import Storage

/// Publishes one publication (``PublishPayload``) through its account's connector, never twice and never silently.
///
/// The delivery state machine: scheduled → sending → published (the platform's id, URL and time) or failed (the
/// class and the platform's own message). Before each request an attempt is recorded; an attempt without an outcome
/// (its worker was killed between the platform's answer and Herald's record) or with an unknown outcome is reconciled
/// first: the connector looks the post up (or, for webhooks, sends again under the same idempotency key) and posts only
/// when it is certainly absent. What follows a failure depends on its class:
/// - transient: back to scheduled, retried with backoff; failed after the last attempt;
/// - rate_limited: the account waits until the platform's reset, the job is postponed without using an attempt;
/// - auth (the connector already tried a refresh): the account needs reconnecting (said once), its publications wait;
/// - rejected_content: failed at once with the platform's reason, never retried;
/// - unknown_outcome: stays sending and is reconciled on the next run.
///
/// One sender per account at a time, paced by the account's token bucket (``DeliveryStore/acquireSender``). A dry-run
/// campaign's publications go to the table-only sink (the `deliveries` outbox) and end as `dry_run`. A publication
/// whose campaign was paused, ended or archived meanwhile is cancelled instead. A publication whose variant is not
/// approved (pending or rejected review) is never posted: it fails with the class `not_approved`.
public struct PublishHandler: JobHandler {
    /// Fault injection: a pause between the platform's (or the sink's) answer and Herald's record of it (crash tests).
    let pauseAfterDelivery: Duration?
    /// Where this service is reached, for an email's open pixel.
    let publicURL: String
    /// Accounts and their connectors (nil: this worker publishes dry runs only).
    let accounts: (any AccountConnections)?
    /// This process's jobs of one account take turns here before asking for the account's sender lease.
    let turns = AccountTurns()
    /// How long a publication waits for a person to reconnect its account before its job looks again.
    static let reconnectWait: TimeInterval = 6 * 3_600

    public init(
        pauseAfterDelivery: Duration? = nil,
        publicURL: String = CampaignFire.defaultPublicURL,
        accounts: (any AccountConnections)? = nil
    ) {
        self.pauseAfterDelivery = pauseAfterDelivery
        self.publicURL = publicURL
        self.accounts = accounts
    }

    public func run(_ job: ClaimedJob, payload: PublishPayload, context: JobContext) async throws {
        let store = PublicationStore(context.database)
        let publication: Publication
        do {
            publication = try await store.find(payload.publication)
        } catch let error as NotFoundError {
            throw PermanentJobError("\(error)")
        }
        guard publication.status == "scheduled" || publication.status == "sending" else { return }
        // The review gate, whatever queued this job: a variant that is not approved is never posted.
        let review = try await ReviewStore(context.database, workspace: publication.workspace).state(of: publication.variant)
        guard let review, review.publishes else {
            try await refuseUnapproved(publication, review: review, context: context)
            return
        }
        let delivery = DeliveryStore(context.database)
        // A publication with an account is a real one (a dry run's have none): it takes the account's sender first, so
        // a job that must wait for it costs one query, not the campaign's.
        guard let accountID = publication.account else {
            let campaign = try await CampaignStore(context.database, workspace: publication.workspace).find(publication.campaign)
            if campaign.dryRun {
                try await rehearse(publication, job: job, context: context)
                return
            }
            try await delivery.markFailed(
                publication.id,
                class: "no_account",
                message:
                    "no connected \(publication.channel) account: connect one with `herald channels connect \(publication.channel) …`, then retry"
            )
            try await announce(publication.id, failed: true, context: context)
            return
        }
        guard let accounts else {
            throw PermanentJobError("this worker cannot publish for real: it has no access to accounts (set HERALD_SECRET_KEY or HERALD_HOME)")
        }
        await turns.take(accountID)
        do {
            try await publishTaking(publication, account: accountID, accounts: accounts, job: job, context: context)
        } catch {
            await turns.give(accountID)
            throw error
        }
        await turns.give(accountID)
    }

    /// Publishes a real publication once this process's turn for its account has come: takes the account's sender lease
    /// (between processes), sends, gives the lease back.
    func publishTaking(
        _ publication: Publication,
        account accountID: UUID,
        accounts: any AccountConnections,
        job: ClaimedJob,
        context: JobContext
    ) async throws {
        let delivery = DeliveryStore(context.database)
        let now = context.clock.now()
        let sender = "\(context.worker)#\(job.id)"
        // One sender per account: while another worker sends to it, this job steps back for a moment (a post takes a
        // round trip), freeing its slot and connection rather than spinning on the account's row.
        acquiring: while true {
            switch try await delivery.acquireSender(account: accountID, worker: sender, now: context.clock.now()) {
            case .needsReconnect(let reason):
                try await delivery.reschedule(publication.id, class: "auth", note: "waiting: the account needs reconnecting (\(reason))")
                throw PostponeJob(until: now.addingTimeInterval(Self.reconnectWait), reason: "the account needs reconnecting: \(reason)")
            case .wait(let until, let reason):
                throw PostponeJob(until: until, reason: reason)
            case .busy(let until):
                let step = context.clock.now().addingTimeInterval(Double.random(in: 0.05...0.15))
                throw PostponeJob(until: min(until, step), reason: "another worker is sending to this account")
            case .granted:
                break acquiring
            }
        }
        do {
            let campaign = try await CampaignStore(context.database, workspace: publication.workspace).find(publication.campaign)
            try await send(publication, campaign: campaign, account: accountID, accounts: accounts, job: job, context: context)
        } catch {
            try? await delivery.releaseSender(account: accountID, worker: sender)
            throw error
        }
        try await delivery.releaseSender(account: accountID, worker: sender)
    }

    /// Sends (or reconciles) a publication whose account's sender this worker holds.
    func send(
        _ publication: Publication,
        campaign: Campaign,
        account accountID: UUID,
        accounts: any AccountConnections,
        job: ClaimedJob,
        context: JobContext
    ) async throws {
        let store = PublicationStore(context.database)
        let delivery = DeliveryStore(context.database)
        guard try await store.claim(publication.id) else {
            try await store.cancel(publication.id, reason: "campaign \(campaign.status.rawValue)")
            context.logger.info("publication cancelled: its campaign does not publish", metadata: Self.metadata(publication))
            return
        }
        let (connector, account) = try await accounts.connection(for: accountID, workspace: publication.workspace)
        let post = OutgoingPost(
            publication: publication.id,
            channel: Channel(rawValue: publication.channel) ?? .webhook,
            text: publication.text,
            trackingURL: TrackingLink.clickURL(base: publicURL, code: publication.trackingCode),
            media: try await MediaStore(context.database, workspace: publication.workspace).attachments(variant: publication.variant),
            campaign: campaign.slug,
            variant: campaign.variants.first { $0.id == publication.variant }?.key ?? "",
            scheduledAt: publication.scheduledAt
        )
        let key = publication.idempotencyKey
        if try await delivery.attempts(of: publication.id).isUnsettled, connector.reconciliation == .lookUp {
            let number = try await delivery.begin(publication: publication.id, account: accountID, worker: context.worker, at: context.clock.now())
            let found: PostedPost?
            do {
                found = try await connector.lookUp(post, idempotencyKey: key, account: account)
            } catch let error as ConnectorError {
                try await delivery.finish(
                    publication: publication.id,
                    attempt: number,
                    Self.outcome(of: error.kind == .unknownOutcome ? .transient : error.kind),
                    status: error.status,
                    message: "reconciling: \(error.message)",
                    at: context.clock.now()
                )
                // Until the platform can say, nothing is posted again.
                try await failed(error, publication: publication, account: accountID, job: job, context: context, reconciling: true)
                return
            }
            if let found {
                try await published(publication, attempt: number, .found, post: found, kind: connector.kind, context: context)
                return
            }
            try await delivery.finish(publication: publication.id, attempt: number, .absent, at: context.clock.now())
        }
        let number = try await delivery.begin(publication: publication.id, account: accountID, worker: context.worker, at: context.clock.now())
        do {
            let posted = try await connector.publish(post, idempotencyKey: key, account: account)
            if let pauseAfterDelivery { try await Task.sleep(for: pauseAfterDelivery) }
            try await published(publication, attempt: number, .published, post: posted, kind: connector.kind, context: context)
        } catch let error as ConnectorError {
            try await delivery.finish(
                publication: publication.id,
                attempt: number,
                Self.outcome(of: error.kind),
                status: error.status,
                message: error.message,
                at: context.clock.now()
            )
            try await failed(error, publication: publication, account: accountID, job: job, context: context, reconciling: false)
        }
    }

    /// Records a post that is on the platform, and queues the collection of its engagement (1 h, 6 h, 24 h, 72 h and
    /// 7 d after posting) where the platform reports engagement.
    func published(
        _ publication: Publication,
        attempt: Int,
        _ outcome: DeliveryAttempt.Outcome,
        post: PostedPost,
        kind: AccountKind,
        context: JobContext
    ) async throws {
        let now = context.clock.now()
        let reconciled = outcome == .found
        let collections =
            kind.reportsEngagement && !post.id.isEmpty
            ? MetricsSchedule().jobs(for: publication.id, publishedAt: now, workspace: publication.workspace) : []
        try await DeliveryStore(context.database)
            .recordPublished(publication.id, attempt: attempt, outcome, post: post, at: now, followUps: collections)
        try await announce(publication.id, failed: false, context: context)
        var metadata = Self.metadata(publication)
        metadata["herald.provider.id"] = "\(post.id)"
        metadata["herald.delivery.reconciled"] = "\(reconciled)"
        context.logger.info("publication published", metadata: metadata)
    }

    /// What follows a classified failure.
    func failed(
        _ error: ConnectorError,
        publication: Publication,
        account: UUID,
        job: ClaimedJob,
        context: JobContext,
        reconciling: Bool
    ) async throws {
        let delivery = DeliveryStore(context.database)
        let now = context.clock.now()
        var metadata = Self.metadata(publication)
        metadata["herald.failure.class"] = "\(error.kind.rawValue)"
        metadata["herald.error"] = "\(error.message)"
        let last = job.attempt >= job.maxAttempts
        switch error.kind {
        case .transient, .unknownOutcome:
            let unsettled = reconciling || error.kind == .unknownOutcome
            if last {
                let message =
                    unsettled
                    ? "the outcome is unknown (\(error.message)): it may have been posted; check the account before retrying"
                    : error.message
                try await delivery.markFailed(publication.id, class: unsettled ? "unknown_outcome" : "transient", message: message)
                try await announce(publication.id, failed: true, context: context)
                context.logger.warning("publication failed", metadata: metadata)
                return
            }
            if !unsettled { try await delivery.reschedule(publication.id, class: "transient", note: "retrying: \(error.message)") }
            throw error
        case .rateLimited:
            let until = max(error.retryAt ?? now.addingTimeInterval(60), now.addingTimeInterval(1))
            _ = try await accounts?.setHealth(account: account, workspace: publication.workspace, .rateLimited, reason: error.message, until: until)
            try await delivery.reschedule(publication.id, class: "rate_limited", note: "waiting for the platform's rate limit to reset")
            throw PostponeJob(until: until, reason: "rate limited: \(error.message)")
        case .auth:
            if try await accounts?.setHealth(account: account, workspace: publication.workspace, .needsReconnect, reason: error.message, until: nil)
                == true
            {
                // Said once per account, however many publications wait on it.
                context.logger.warning("account needs reconnecting; its publications wait", metadata: metadata)
                _ = try await LifecycleEvents(context).accountNeedsReconnect(workspace: publication.workspace, account: account)
            }
            try await delivery.reschedule(publication.id, class: "auth", note: "waiting: the account needs reconnecting (\(error.message))")
            throw PostponeJob(until: now.addingTimeInterval(Self.reconnectWait), reason: "the account needs reconnecting")
        case .rejectedContent:
            try await delivery.markFailed(publication.id, class: "rejected_content", message: error.message)
            try await announce(publication.id, failed: true, context: context)
            context.logger.warning("publication refused by the platform", metadata: metadata)
        }
    }

    /// Fails a publication whose variant is pending or rejected (class `not_approved`), saying how to send it after all.
    func refuseUnapproved(_ publication: Publication, review: ReviewState?, context: JobContext) async throws {
        let state = review.map { "is \($0.rawValue) review" } ?? "no longer exists"
        try await DeliveryStore(context.database).markFailed(
            publication.id,
            class: "not_approved",
            message:
                "not posted: its variant \(state); only approved variants are published (approve it with `herald variants approve \(publication.variant)`, then `herald publications retry \(publication.id.uuidString.lowercased())`)"
        )
        try await announce(publication.id, failed: true, context: context)
        var metadata = Self.metadata(publication)
        metadata["herald.variant.id"] = "\(publication.variant)"
        metadata["herald.review"] = "\(review?.rawValue ?? "missing")"
        context.logger.warning("publication refused: its variant is not approved", metadata: metadata)
    }

    /// Sends `publication.published` or `publication.failed` to the workspace's subscribed webhooks, from the stored row
    /// (so what is announced is what was recorded).
    func announce(_ id: UUID, failed: Bool, context: JobContext) async throws {
        let stored = try await PublicationStore(context.database).find(id)
        let events = LifecycleEvents(context)
        _ = failed ? try await events.publicationFailed(stored) : try await events.publicationPublished(stored)
    }

    /// A dry run: the table-only sink, then `dry_run`.
    func rehearse(_ publication: Publication, job: ClaimedJob, context: JobContext) async throws {
        let store = PublicationStore(context.database)
        guard try await store.claim(publication.id) else {
            let campaign = try await CampaignStore(context.database, workspace: publication.workspace).find(publication.campaign)
            try await store.cancel(publication.id, reason: "campaign \(campaign.status.rawValue)")
            context.logger.info("publication cancelled: its campaign does not publish", metadata: Self.metadata(publication))
            return
        }
        let first: Bool
        do {
            first = try await store.deliverToOutbox(publication, body: Self.body(of: publication, publicURL: publicURL))
        } catch {
            if error is PermanentJobError || job.attempt >= job.maxAttempts {
                try await store.markFailed(publication.id, error: StorageError.describe(error))
            }
            throw error
        }
        var metadata = Self.metadata(publication)
        metadata["herald.delivery.first"] = "\(first)"
        context.logger.info("dry run: publication written to the dry-run sink, nothing was posted", metadata: metadata)
        if let pauseAfterDelivery { try await Task.sleep(for: pauseAfterDelivery) }
        try await DeliveryStore(context.database).markDryRun(publication.id, at: context.clock.now())
    }

    static func outcome(of kind: ConnectorError.Kind) -> DeliveryAttempt.Outcome {
        switch kind {
        case .transient: .transient
        case .rateLimited: .rateLimited
        case .auth: .auth
        case .rejectedContent: .rejectedContent
        case .unknownOutcome: .unknownOutcome
        }
    }

    static func metadata(_ publication: Publication) -> Logger.Metadata {
        [
            "herald.publication.id": "\(publication.id)", "herald.publication.channel": "\(publication.channel)",
            "herald.campaign.id": "\(publication.campaign)",
        ]
    }

    /// What the outbox receives: the post's text; for email the subject, then the HTML part with the open pixel.
    static func body(of publication: Publication, publicURL: String) -> String {
        guard publication.channel == HeraldCore.Channel.email.rawValue else { return publication.text }
        let html = PostRenderer.emailHTML(
            text: publication.text,
            preheader: publication.preheader ?? "",
            pixel: TrackingLink.pixelURL(base: publicURL, code: publication.trackingCode)
        )
        return "Subject: \(publication.subject ?? "")\n\n\(html)"
    }
}
