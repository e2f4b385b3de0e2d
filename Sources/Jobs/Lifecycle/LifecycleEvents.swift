import Crypto
import Foundation
import HeraldCore
import Logging
import Scheduling
import Storage

/// Tells a workspace's lifecycle webhooks what happened to its publications and accounts, durably: each event becomes
/// one `notify` job per subscribed webhook (``NotifyHandler``), which POSTs the event's JSON signed like the report
/// webhooks (``WebhookSignature``), with the event's id as `Idempotency-Key`, retried with backoff until the receiver
/// answers 2xx.
///
/// Call these after the change they announce is committed (outside any transaction): each reads the stored truth (a
/// `publication.published` is only sent for a publication stored as published, a `publication.failed` only for a
/// failed one) and enqueues its jobs in one statement. Calling one twice for the same change is safe: an event's id is
/// derived from what it announces (the publication and its retry count; the account and when its health last
/// changed), so a repeat is the same event, skipped while its job is queued and sent with the same `Idempotency-Key`
/// otherwise. A caller that must commit the event with the change in one transaction builds the jobs with
/// ``requests(for:workspace:webhooks:)`` and inserts them through a Storage method that takes them.
public struct LifecycleEvents: Sendable {
    let database: Database
    let clock: any HeraldClock
    let logger: Logger

    /// How many times a receiver is tried before its job is dead (about 4 hours of exponential backoff).
    public static let maxAttempts = 12

    public init(database: Database, clock: any HeraldClock = SystemClock(), logger: Logger? = nil) {
        self.database = database
        self.clock = clock
        self.logger = logger ?? database.logger
    }

    /// From a job handler's context.
    public init(_ context: JobContext) {
        self.init(database: context.database, clock: context.clock, logger: context.logger)
    }

    /// Enqueues `publication.published` for a publication now stored as published (with its provider id and URL).
    ///
    /// - Returns: How many webhooks it is queued for (0 when none subscribes, or the publication is not published).
    @discardableResult
    public func publicationPublished(_ publication: Publication) async throws -> Int {
        try await publicationEvent(.publicationPublished, publication.id, workspace: publication.workspace, state: .published)
    }

    /// Enqueues `publication.failed` for a publication now stored as failed (with its failure class and message).
    ///
    /// - Returns: How many webhooks it is queued for (0 when none subscribes, or the publication is not failed).
    @discardableResult
    public func publicationFailed(_ publication: Publication) async throws -> Int {
        try await publicationEvent(.publicationFailed, publication.id, workspace: publication.workspace, state: .failed)
    }

    /// Enqueues `account.needs_reconnect` for an account of the workspace (its stored name, kind, health and reason).
    /// Call it once per change of health, when `AccountStore.setHealth` says it changed: the event's id comes from the
    /// account and the time its row last changed.
    ///
    /// - Returns: How many webhooks it is queued for.
    @discardableResult
    public func accountNeedsReconnect(workspace: WorkspaceID, account id: UUID) async throws -> Int {
        let store = LifecycleWebhookStore(database, workspace: workspace)
        let webhooks = try await store.subscribed(to: .accountNeedsReconnect)
        guard !webhooks.isEmpty else { return 0 }
        let (account, changedAt) = try await store.account(id)
        let eventID = Self.eventID(
            LifecycleEventType.accountNeedsReconnect.rawValue,
            id.uuidString.lowercased(),
            String(Int64((changedAt.timeIntervalSince1970 * 1_000_000).rounded()))
        )
        let event = LifecycleEvent(id: eventID, type: .accountNeedsReconnect, createdAt: clock.now(), subject: .account(account))
        return try await enqueue(event, workspace: workspace, webhooks: webhooks)
    }

    /// Enqueues any event for the workspace's webhooks subscribed to its type.
    ///
    /// - Returns: How many jobs were queued (a job of the same event and webhook still queued is not repeated).
    @discardableResult
    public func enqueue(_ event: LifecycleEvent, workspace: WorkspaceID) async throws -> Int {
        let webhooks = try await LifecycleWebhookStore(database, workspace: workspace).subscribed(to: event.type)
        return try await enqueue(event, workspace: workspace, webhooks: webhooks)
    }

    func enqueue(_ event: LifecycleEvent, workspace: WorkspaceID, webhooks: [LifecycleWebhook]) async throws -> Int {
        let requests = try Self.requests(for: event, workspace: workspace, webhooks: webhooks, now: clock.now())
        let queued = try await JobQueue(database).enqueue(requests)
        logger.info(
            "lifecycle event queued",
            metadata: [
                "herald.event.id": "\(event.id.uuidString.lowercased())", "herald.event.type": "\(event.type.rawValue)",
                "herald.webhooks": "\(requests.count)",
            ]
        )
        return queued
    }

    /// The `notify` jobs that send `event` to each of `webhooks` (those subscribed to its type), due at `now`. Pure.
    public static func requests(
        for event: LifecycleEvent,
        workspace: WorkspaceID,
        webhooks: [LifecycleWebhook],
        now: Date
    ) throws -> [JobRequest] {
        let body = try event.json()
        let eventID = event.id.uuidString.lowercased()
        return webhooks.filter { $0.workspace == workspace && $0.events.contains(event.type) }.map { webhook in
            JobRequest(
                payload: NotifyPayload(event: event.type, eventID: event.id, workspace: workspace, webhook: webhook.id, body: body),
                runAt: now,
                maxAttempts: maxAttempts,
                uniqueKey: "notify:\(eventID):\(webhook.id.uuidString.lowercased())",
                workspace: workspace
            )
        }
    }

    /// A stable event id derived from what the event announces: the first 16 bytes of SHA-256 over the parts joined by
    /// `|`, marked as an RFC 9562 version 8 (custom) UUID.
    public static func eventID(_ parts: String...) -> UUID {
        var bytes = Array(SHA256.hash(data: Data(parts.joined(separator: "|").utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x80
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9], bytes[10], bytes[11],
                bytes[12], bytes[13], bytes[14], bytes[15]
            )
        )
    }

    /// A publication event, when the publication is stored in `state`.
    func publicationEvent(_ type: LifecycleEventType, _ id: UUID, workspace: WorkspaceID, state: PublicationState) async throws -> Int {
        let store = LifecycleWebhookStore(database, workspace: workspace)
        let webhooks = try await store.subscribed(to: type)
        guard !webhooks.isEmpty else { return 0 }
        let (publication, retries) = try await store.publication(id)
        guard publication.state == state.rawValue else {
            // Never announce what is not stored: a failed publication is never shown as published.
            logger.warning(
                "lifecycle event not sent: the publication is in another state",
                metadata: [
                    "herald.publication.id": "\(id.uuidString.lowercased())", "herald.event.type": "\(type.rawValue)",
                    "herald.publication.state": "\(publication.state)",
                ]
            )
            return 0
        }
        let event = LifecycleEvent(
            id: Self.eventID(type.rawValue, id.uuidString.lowercased(), String(retries)),
            type: type,
            createdAt: clock.now(),
            subject: .publication(publication)
        )
        return try await enqueue(event, workspace: workspace, webhooks: webhooks)
    }
}
