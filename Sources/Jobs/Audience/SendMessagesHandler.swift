import Channels
import Connectors
import Crypto
import Foundation
import HeraldCore
import Logging
import Scheduling
import Storage

/// Sends an audience campaign's due messages (``SendMessagesPayload``): claims them in batches under a lease, sends up
/// to ``AudienceMail/concurrency`` at once through the worker's ``MailSender``, and records each outcome
/// (``MessageStore``): sent with its impression, bounced (the contact suppressed), retried later, or given up.
///
/// At most once per contact: a message is marked `sending` just before the transport is called, and one found
/// `sending` after its lease ran out (a worker killed mid-send) is failed as `unknown_outcome`, never sent again.
public struct SendMessagesHandler: JobHandler {
    /// Where tracking links, the pixel and the unsubscribe URL point (`HERALD_PUBLIC_URL`).
    let publicURL: String
    /// The box recipient tokens' keys derive from; nil: the job fails, saying so.
    let secrets: SecretBox?
    /// Messages claimed at once.
    let batchSize: Int
    /// How long a claimed message stays this worker's; a message still `sending` after it is given up.
    let lease: TimeInterval
    /// Attempts before a transiently failing message is given up.
    let maximumAttempts: Int
    /// The first retry's delay; each next one doubles.
    let backoff: TimeInterval

    public init(
        publicURL: String = CampaignFire.defaultPublicURL,
        secrets: SecretBox?,
        batchSize: Int = 200,
        lease: TimeInterval = 300,
        maximumAttempts: Int = 5,
        backoff: TimeInterval = 60
    ) {
        self.publicURL = publicURL
        self.secrets = secrets
        self.batchSize = batchSize
        self.lease = lease
        self.maximumAttempts = maximumAttempts
        self.backoff = backoff
    }

    /// The `send_messages` job of a campaign, due at `time` (one per campaign and time).
    static func job(for campaign: Campaign, at time: Date) -> JobRequest {
        JobRequest(
            payload: SendMessagesPayload(campaign: campaign.id, workspace: campaign.workspaceID),
            runAt: time,
            uniqueKey: "send_messages:\(campaign.id):\(Timestamp.format(time))",
            workspace: campaign.workspaceID
        )
    }

    public func run(_ job: ClaimedJob, payload: SendMessagesPayload, context: JobContext) async throws {
        guard let mail = context.mail else {
            throw PermanentJobError("this worker cannot send email: set \(AudienceMail.environment), then retry the job")
        }
        guard let secrets else {
            throw PermanentJobError("this worker cannot sign recipient tokens: it has no secret key (set HERALD_SECRET_KEY or HERALD_HOME)")
        }
        let campaign = try await payload.campaign(in: context)
        let store = MessageStore(context.database)
        let abandoned = try await store.failAbandoned(campaign: campaign.id, now: context.clock.now())
        if abandoned > 0 {
            context.logger.warning(
                "messages left sending by a stopped worker are failed, not sent again",
                metadata: ["herald.campaign": "\(campaign.slug)", "herald.send.abandoned": "\(abandoned)"]
            )
        }
        guard campaign.status.publishes else { return }
        let sending = Sending(
            campaign: campaign,
            store: store,
            mail: mail,
            key: RecipientToken.key(workspace: campaign.workspaceID, secrets: secrets),
            handler: self,
            context: context
        )
        while !Task.isCancelled {
            let batch = try await store.claim(
                campaign: campaign.id,
                worker: context.worker,
                limit: batchSize,
                lease: lease,
                now: context.clock.now()
            )
            guard !batch.isEmpty else { break }
            try await withThrowingTaskGroup(of: Void.self) { group in
                var next = batch.makeIterator()
                for _ in 0..<min(mail.concurrency, batch.count) {
                    if let message = next.next() { group.addTask { try await sending.send(message) } }
                }
                while try await group.next() != nil {
                    if let message = next.next() { group.addTask { try await sending.send(message) } }
                }
            }
        }
        // Messages retried later, or left sending by a worker that stopped: this job comes back when the first is due.
        if let due = try await store.nextDue(campaign: campaign.id), due > context.clock.now() {
            try await JobQueue(context.database).enqueue([Self.job(for: campaign, at: due)])
        }
    }

    /// What sending one message needs.
    struct Sending: Sendable {
        let campaign: Campaign
        let store: MessageStore
        let mail: AudienceMail
        let key: SymmetricKey
        let handler: SendMessagesHandler
        let context: JobContext

        init(campaign: Campaign, store: MessageStore, mail: AudienceMail, key: SymmetricKey, handler: SendMessagesHandler, context: JobContext) {
            self.campaign = campaign
            self.store = store
            self.mail = mail
            self.key = key
            self.handler = handler
            self.context = context
        }

        /// Renders, marks sending, sends and records one message.
        func send(_ message: MessageStore.Claimed) async throws {
            let metadata: Logger.Metadata = ["herald.campaign": "\(campaign.slug)", "herald.message.id": "\(message.id)"]
            guard message.consent == "subscribed" else {
                try await store.markSuppressed(message.id, consent: message.consent)
                return
            }
            guard let address = message.address, let variantID = message.variant,
                let variant = campaign.variants.first(where: { $0.id == variantID })
            else {
                try await store.markSuppressed(message.id, consent: "without an address or a variant to send")
                return
            }
            // The review gate, at the moment of sending: a variant edited or rejected since the messages were made.
            guard variant.review.publishes else {
                try await store.markNotApproved(message.id, review: variant.review)
                context.logger.warning(
                    "message not sent: its variant is not approved",
                    metadata: metadata.merging(["herald.variant.key": "\(variant.key)", "herald.review": "\(variant.review.rawValue)"]) { $1 }
                )
                return
            }
            let rendered = AudienceMessage.render(
                variant,
                of: campaign,
                to: address,
                token: RecipientToken.make(message: message.id, key: key),
                idempotencyKey: message.idempotencyKey,
                publicURL: handler.publicURL,
                mail: mail
            )
            guard try await store.markSending(message.id, worker: context.worker) else { return }
            let receipt: MailReceipt
            do {
                receipt = try await mail.sender.send(rendered)
            } catch let error as ConnectorError {
                switch error.kind {
                case .rejectedContent:
                    context.logger.info("message bounced; the contact is suppressed", metadata: metadata)
                    try await store.recordBounce(message.id, reply: error.message, at: context.clock.now())
                case .unknownOutcome:
                    context.logger.warning("message outcome unknown; it is not sent again", metadata: metadata)
                    try await store.recordUnknownOutcome(message.id, error: error.message)
                case .transient, .rateLimited, .auth:
                    try await store.recordTransient(
                        message.id,
                        error: error.message,
                        maximumAttempts: handler.maximumAttempts,
                        backoff: handler.backoff,
                        now: context.clock.now()
                    )
                }
                return
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                try await store.recordTransient(
                    message.id,
                    error: "\(error)",
                    maximumAttempts: handler.maximumAttempts,
                    backoff: handler.backoff,
                    now: context.clock.now()
                )
                return
            }
            // The server accepted the message. Recording it is outside the send's error handling on purpose: if it
            // fails, the message stays `sending` and is later failed as unknown_outcome, never sent a second time.
            try await store.recordSent(message.id, providerID: receipt.reply, at: context.clock.now())
        }
    }
}
