import Channels
import Connectors
import Crypto
import Foundation
import HeraldCore
import Logging
import Scheduling
import Storage
import Synchronization

/// Sends an audience campaign's due messages (``SendMessagesPayload``): claims them in batches under a lease, sends
/// email in small chunks through the worker's ``MailSender`` (pipelined over its connections) and text messages up
/// to ``AudienceSMS/concurrency`` at once through its ``SMSSender``, and records each outcome (``MessageStore``): sent
/// with its impression, bounced (the contact suppressed), unsubscribed at the gateway, retried later, or given up. A
/// message not yet due (send time per contact) waits: the job comes back when the next one is. A paused campaign's
/// send is postponed, never ended.
///
/// At most once per contact: a message (every message of an email chunk) is marked `sending` just before the
/// transport is called, and one found `sending` after its lease ran out (a worker killed mid-send) is failed as
/// `unknown_outcome`, never sent again.
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

    /// How long a paused campaign's send waits before it looks again (the job is postponed, not ended, so a resumed
    /// campaign sends the messages that wait).
    public static let pausedRecheck: TimeInterval = 60

    public func run(_ job: ClaimedJob, payload: SendMessagesPayload, context: JobContext) async throws {
        let campaign = try await payload.campaign(in: context)
        let transport: Transport
        switch campaign.audienceChannel {
        case .sms?:
            guard let sms = context.sms else {
                throw PermanentJobError("this worker cannot send SMS: set \(AudienceSMS.environment), then retry the job")
            }
            let optOut = try await CampaignStore(context.database, workspace: campaign.workspaceID).smsOptOut()
            transport = .sms(sms, optOut: optOut)
        default:
            guard let mail = context.mail else {
                throw PermanentJobError("this worker cannot send email: set \(AudienceMail.environment), then retry the job")
            }
            transport = .mail(mail)
        }
        guard let secrets else {
            throw PermanentJobError("this worker cannot sign recipient tokens: it has no secret key (set HERALD_SECRET_KEY or HERALD_HOME)")
        }
        let store = MessageStore(context.database)
        if campaign.status == .paused {
            // Postponed, not ended: the messages wait, and the send goes on once the campaign is resumed.
            try await failAbandoned(of: campaign, store: store, context: context)
            throw PostponeJob(
                until: context.clock.now().addingTimeInterval(Self.pausedRecheck),
                reason: "campaign \(campaign.slug) is paused; its messages wait until it is resumed"
            )
        }
        guard campaign.status.publishes else { return }
        let sending = Sending(
            campaign: campaign,
            job: job,
            store: store,
            transport: transport,
            key: RecipientToken.key(workspace: campaign.workspaceID, secrets: secrets),
            handler: self,
            context: context
        )
        // Rounds until nothing is due now. Messages claimed by a worker that stopped come free (or, left `sending`, are
        // given up) while this job sends the others, so a round can end with work already due: that work is done here,
        // not left for a job that nobody would queue.
        for _ in 0..<Self.maximumRounds {
            try await failAbandoned(of: campaign, store: store, context: context)
            try await sendDue(sending, store: store, context: context)
            // Stopped between batches (the worker shuts down): the job is released and runs again, rather than ending
            // as done with messages still queued and no job to send them.
            try Task.checkCancellation()
            // Messages not yet due (send time per contact), retried later, or claimed by a worker that stopped: this
            // job comes back when the first is due.
            guard let due = try await store.nextDue(campaign: campaign.id) else { return }
            if due > context.clock.now() {
                try await JobQueue(context.database).enqueue([Self.job(for: campaign, at: due)])
                return
            }
        }
        // Still due after every round (a claim ending at this very instant): look again in a moment.
        try await JobQueue(context.database).enqueue([Self.job(for: campaign, at: context.clock.now().addingTimeInterval(1))])
    }

    /// Rounds of claiming and sending in one run before the job hands over to a fresh one.
    static let maximumRounds = 8

    /// Gives up the messages that a stopped worker left `sending` past their lease, and says so.
    private func failAbandoned(of campaign: Campaign, store: MessageStore, context: JobContext) async throws {
        let abandoned = try await store.failAbandoned(campaign: campaign.id, now: context.clock.now())
        if abandoned > 0 {
            context.logger.warning(
                "messages left sending by a stopped worker are failed, not sent again",
                metadata: ["herald.campaign": "\(campaign.slug)", "herald.send.abandoned": "\(abandoned)"]
            )
        }
    }

    /// Messages of a campaign handed to the mail transport together (``MailSender/send(_:concurrency:)``): a few per
    /// connection, `concurrency` × 4.
    ///
    /// Every message of a chunk is marked `sending` before the chunk goes out, so a worker killed mid-chunk gives up the
    /// whole chunk as `unknown_outcome` (never sent twice, but never sent): the chunk is kept small so that few are lost
    /// so, yet long enough that each connection's pipelined chain carries several messages per database round trip
    /// (four per lane when ``AudienceMail/concurrency`` is twice the connections, as the worker sets it).
    public static func mailChunkSize(concurrency: Int) -> Int {
        max(1, concurrency) * 4
    }

    /// Claims the due messages in batches and sends each batch, until none is left to claim: email in chunks
    /// (``mailChunkSize(concurrency:)``) through the sender's batch path, text messages one by one, up to the
    /// transport's concurrency at once.
    private func sendDue(_ sending: Sending, store: MessageStore, context: JobContext) async throws {
        while !Task.isCancelled {
            let batch = try await store.claim(
                campaign: sending.campaign.id,
                worker: context.worker,
                limit: batchSize,
                lease: lease,
                now: context.clock.now()
            )
            guard !batch.isEmpty else { return }
            if case .mail(let mail) = sending.transport {
                let size = Self.mailChunkSize(concurrency: mail.concurrency)
                for start in stride(from: 0, to: batch.count, by: size) {
                    try await sending.sendMail(Array(batch[start..<min(start + size, batch.count)]), mail: mail)
                }
                continue
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                var next = batch.makeIterator()
                for _ in 0..<min(sending.transport.concurrency, batch.count) {
                    if let message = next.next() { group.addTask { try await sending.send(message) } }
                }
                while try await group.next() != nil {
                    if let message = next.next() { group.addTask { try await sending.send(message) } }
                }
            }
        }
    }

    /// What carries a campaign's messages: email through the worker's mail sender, or text messages through its gateway.
    enum Transport: Sendable {
        case mail(AudienceMail)
        case sms(AudienceSMS, optOut: String)

        var concurrency: Int {
            switch self {
            case .mail(let mail): mail.concurrency
            case .sms(let sms, _): sms.concurrency
            }
        }
    }

    /// What became of one message at its transport.
    enum Outcome: Sendable {
        /// Accepted: the server's reply or the gateway's id, and a text message's billed segments.
        case sent(providerID: String, segments: Int?)
        /// A hard bounce, or a number the gateway says is not valid: the contact is suppressed.
        case bounced(String)
        /// The recipient opted out at the gateway (replied STOP).
        case unsubscribed(String)
        /// Refused for a reason that says nothing about the recipient.
        case refused(String)
        /// No clear answer after the message may have gone out: never sent again.
        case unknown(String)
        /// Not sent; retried after the backoff.
        case transient(String)
        /// Not sent because the worker stopped before handing it to the transport: due again at once.
        case stopped
    }

    /// One message ready for its transport.
    enum Outgoing: Sendable {
        case mail(MailMessage, any MailSender)
        case sms(SMSMessage, any SMSSender)
    }

    /// What sending one message needs.
    struct Sending: Sendable {
        let campaign: Campaign
        let job: ClaimedJob
        let store: MessageStore
        let transport: Transport
        let key: SymmetricKey
        let handler: SendMessagesHandler
        let context: JobContext
        /// When the job's lease was last renewed by a send.
        let renewed = LeaseRenewal()

        /// A claimed message rendered for its transport, ready to be marked sending.
        struct Prepared: Sendable {
            let message: MessageStore.Claimed
            let outgoing: Outgoing
            let metadata: Logger.Metadata
        }

        /// Renders one message for its transport; nil when it is not to be sent (no longer subscribed, no address or
        /// variant, a variant not approved), which is recorded here.
        func prepare(_ message: MessageStore.Claimed) async throws -> Prepared? {
            let metadata: Logger.Metadata = ["herald.campaign": "\(campaign.slug)", "herald.message.id": "\(message.id)"]
            guard message.consent == "subscribed" else {
                try await store.markSuppressed(message.id, consent: message.consent)
                return nil
            }
            guard let address = message.address, let variantID = message.variant,
                let variant = campaign.variants.first(where: { $0.id == variantID })
            else {
                try await store.markSuppressed(message.id, consent: "without an address or a variant to send")
                return nil
            }
            // The review gate, at the moment of sending: a variant edited or rejected since the messages were made.
            guard variant.review.publishes else {
                try await store.markNotApproved(message.id, review: variant.review)
                context.logger.warning(
                    "message not sent: its variant is not approved",
                    metadata: metadata.merging(["herald.variant.key": "\(variant.key)", "herald.review": "\(variant.review.rawValue)"]) { $1 }
                )
                return nil
            }
            let token = RecipientToken.make(message: message.id, key: key)
            let outgoing: Outgoing
            switch transport {
            case .mail(let mail):
                let rendered = AudienceMessage.render(
                    variant,
                    of: campaign,
                    to: address,
                    token: token,
                    idempotencyKey: message.idempotencyKey,
                    publicURL: handler.publicURL,
                    mail: mail
                )
                outgoing = .mail(rendered, mail.sender)
            case .sms(let sms, let optOut):
                let rendered = AudienceText.render(
                    variant,
                    of: campaign,
                    to: address,
                    token: token,
                    publicURL: handler.publicURL,
                    optOut: optOut,
                    sms: sms
                )
                outgoing = .sms(rendered, sms.sender)
            }
            return Prepared(message: message, outgoing: outgoing, metadata: metadata)
        }

        /// Renders, marks sending, sends and records one message.
        func send(_ message: MessageStore.Claimed) async throws {
            guard let prepared = try await prepare(message) else { return }
            // Stopped before marking: the message stays queued, due again when its claim ends.
            try Task.checkCancellation()
            let now = context.clock.now()
            guard try await store.markSending(message.id, worker: context.worker, until: now.addingTimeInterval(handler.lease)) else { return }
            await renewLease(now: now)
            if Task.isCancelled {
                // Stopped after marking but before the transport was called: nothing went out, so it is retried later
                // (transient), not given up as an unknown outcome.
                try await recordAfterStop([(prepared, .stopped)])
                throw CancellationError()
            }
            let outcome = try await deliver(prepared.outgoing)
            // Recorded outside the transport's error handling on purpose: if recording a sent message fails, it stays
            // `sending` and is later failed as unknown_outcome, never sent a second time.
            try await record(outcome, of: message, metadata: prepared.metadata)
        }

        /// Renders, marks sending (all in one statement), sends through the mail sender's batch path and records a
        /// chunk of email messages; the same guarantees as ``send(_:)``, message by message: every message is
        /// `sending` before the chunk reaches the transport, and one the transport may have taken is never retried.
        func sendMail(_ messages: [MessageStore.Claimed], mail: AudienceMail) async throws {
            var prepared: [Prepared] = []
            for message in messages {
                if let ready = try await prepare(message) { prepared.append(ready) }
            }
            guard !prepared.isEmpty else { return }
            // Stopped before marking: the messages stay queued, due again when their claim ends.
            try Task.checkCancellation()
            let now = context.clock.now()
            let marked = try await store.markSending(
                prepared.map(\.message.id),
                worker: context.worker,
                until: now.addingTimeInterval(handler.lease)
            )
            let going = prepared.filter { marked.contains($0.message.id) }
            guard !going.isEmpty else { return }
            await renewLease(now: now)
            if Task.isCancelled {
                // Stopped after marking but before the transport was called: nothing went out (see send(_:)).
                try await recordAfterStop(going.map { ($0, .stopped) })
                throw CancellationError()
            }
            let rendered = going.map { ready -> MailMessage in
                guard case .mail(let message, _) = ready.outgoing else { preconditionFailure("an email chunk holds email only") }
                return message
            }
            let results = await mail.sender.send(rendered, concurrency: mail.concurrency)
            var stopped = Task.isCancelled
            var outcomes: [(Prepared, Outcome)] = []
            for (ready, result) in zip(going, results) {
                switch result {
                case .success(let receipt): outcomes.append((ready, .sent(providerID: receipt.reply, segments: nil)))
                case .failure(.failed(let error)): outcomes.append((ready, Self.outcome(of: error, sms: false)))
                case .failure(.notSent):
                    outcomes.append((ready, .stopped))
                    stopped = true
                case .failure(.interrupted):
                    // The transport may have taken it: it stays `sending` and is given up when its lease ends.
                    stopped = true
                }
            }
            if stopped {
                try await recordAfterStop(outcomes)
                throw CancellationError()
            }
            try await recordAll(outcomes, concurrency: mail.concurrency)
        }

        /// Records outcomes, up to `concurrency` at once.
        func recordAll(_ outcomes: [(Prepared, Outcome)], concurrency: Int) async throws {
            try await withThrowingTaskGroup(of: Void.self) { group in
                var next = outcomes.makeIterator()
                for _ in 0..<max(1, concurrency) {
                    if let (ready, outcome) = next.next() { group.addTask { try await record(outcome, of: ready.message, metadata: ready.metadata) } }
                }
                while try await group.next() != nil {
                    if let (ready, outcome) = next.next() { group.addTask { try await record(outcome, of: ready.message, metadata: ready.metadata) } }
                }
            }
        }

        /// Records outcomes although this task is cancelled (the worker is stopping): in an unstructured task, which
        /// does not inherit the cancellation, so what the transport said is kept.
        func recordAfterStop(_ outcomes: [(Prepared, Outcome)]) async throws {
            let sending = self
            try await Task { try await sending.recordAll(outcomes, concurrency: 4) }.value
        }

        /// Renews the job's lease for as long as a message's send may take (at most once per tenth of that lease, so a
        /// fast batch does not write the job on every message): a long send is not rescued and run again meanwhile.
        /// A failure to renew is logged, not thrown: the worker's own heartbeat still renews it.
        func renewLease(now: Date) async {
            guard renewed.take(now: now, every: handler.lease / 10) else { return }
            do {
                try await JobQueue(context.database).heartbeat([job], worker: context.worker, lease: handler.lease, now: now)
            } catch {
                context.logger.warning(
                    "could not renew the send job's lease",
                    metadata: ["herald.job.id": "\(job.id)", "herald.error": "\(StorageError.describe(error))"]
                )
            }
        }

        /// Hands one message to its transport and says what became of it. A mail server's failure that is not a clear
        /// answer (a connection lost before the end of DATA) is retried; a text gateway takes no idempotency key, so
        /// anything but a clear answer there (a refusal, a 429 or 5xx, a connection that never reached it) is an unknown
        /// outcome, never sent again.
        func deliver(_ outgoing: Outgoing) async throws -> Outcome {
            do {
                switch outgoing {
                case .mail(let rendered, let sender):
                    let receipt = try await sender.send(rendered)
                    return .sent(providerID: receipt.reply, segments: nil)
                case .sms(let rendered, let sender):
                    let receipt = try await sender.send(rendered)
                    return .sent(providerID: receipt.id, segments: receipt.segments)
                }
            } catch let error as ConnectorError {
                if case .sms = outgoing { return Self.outcome(of: error, sms: true) }
                return Self.outcome(of: error, sms: false)
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                if case .sms = outgoing { return .unknown("\(error)") }
                return .transient("\(error)")
            }
        }

        /// What a transport's classified failure means for the message: a hard bounce (or, for a text message, an
        /// invalid number or an opt-out at the gateway), an unknown outcome, or a failure to retry.
        static func outcome(of error: ConnectorError, sms: Bool) -> Outcome {
            switch error.kind {
            case .rejectedContent:
                guard sms else { return .bounced(error.message) }
                switch TwilioMessages.recipientRefusal(error) {
                case .invalidNumber?: return .bounced(error.message)
                case .unsubscribed?: return .unsubscribed(error.message)
                case nil: return .refused(error.message)
                }
            case .unknownOutcome: return .unknown(error.message)
            case .transient, .rateLimited, .auth: return .transient(error.message)
            }
        }

        /// Records what became of one message, and logs what a person should know.
        func record(_ outcome: Outcome, of message: MessageStore.Claimed, metadata: Logger.Metadata) async throws {
            let now = context.clock.now()
            switch outcome {
            case .sent(let providerID, let segments):
                try await store.recordSent(message.id, providerID: providerID, segments: segments, at: now)
            case .bounced(let reply):
                context.logger.info("the message bounced or the address was refused; the contact is suppressed", metadata: metadata)
                try await store.recordBounce(message.id, reply: reply, at: now)
            case .unsubscribed(let reply):
                context.logger.info("the recipient opted out at the gateway; the contact is unsubscribed", metadata: metadata)
                try await store.recordUnsubscribed(message.id, reply: reply, at: now)
            case .refused(let error):
                context.logger.warning("the gateway refused the message", metadata: metadata.merging(["herald.error": "\(error)"]) { $1 })
                try await store.recordRejected(message.id, error: error)
            case .unknown(let error):
                context.logger.warning("message outcome unknown; it is not sent again", metadata: metadata)
                try await store.recordUnknownOutcome(message.id, error: error)
            case .transient(let error):
                try await retry(message, error: error)
            case .stopped:
                try await store.recordTransient(
                    message.id,
                    error: "the worker stopped before sending it",
                    maximumAttempts: handler.maximumAttempts,
                    backoff: 0,
                    now: now
                )
            }
        }

        /// Back to queued after the handler's backoff, or failed after its last attempt.
        func retry(_ message: MessageStore.Claimed, error: String) async throws {
            try await store.recordTransient(
                message.id,
                error: error,
                maximumAttempts: handler.maximumAttempts,
                backoff: handler.backoff,
                now: context.clock.now()
            )
        }
    }

    /// When a send last renewed its job's lease, shared by a job's concurrent sends.
    final class LeaseRenewal: Sendable {
        private let last = Mutex<Date?>(nil)

        /// Whether a renewal is due at `now` (none yet, or the last `every` ago or more); if so, it is taken.
        func take(now: Date, every: TimeInterval) -> Bool {
            last.withLock { last in
                if let previous = last, now.timeIntervalSince(previous) < every { return false }
                last = now
                return true
            }
        }
    }
}
