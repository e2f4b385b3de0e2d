import Connectors
import Crypto
import Foundation
import HeraldCore
import HeraldTestSupport
import Jobs
import PostgresNIO
import Scheduling
import Testing

@testable import Storage

/// Lifecycle webhooks: an event becomes one durable `notify` job per subscribed webhook, POSTed to a real receiver on
/// loopback, signed like the report webhooks, with the event's id as `Idempotency-Key`.
struct LifecycleWebhookTests {
    static let secret = "whsec-lifecycle-3b9d"
    let start = Date(timeIntervalSince1970: 1_772_323_200)

    /// A workspace and a publication of a mastodon campaign, stored failed with a class and the platform's message.
    func failedPublication(_ database: Database) async throws -> (WorkspaceID, Publication) {
        let workspace = try await WorkspaceStore(database).ensure(slug: "acme")
        let campaign = try await CampaignStore(database, workspace: workspace).create(
            try CampaignSpec(name: "Spring", channels: [.mastodon], variants: [.init(key: "A", text: "one"), .init(key: "B", text: "two")])
        )
        let made = try await PublicationStore(database).create(
            workspace: workspace,
            campaign: campaign.id,
            variant: campaign.variants[1].id,
            channel: .mastodon,
            scheduledAt: start,
            idempotencyKey: "lifecycle-test"
        )
        try await database.client.execute(
            """
            UPDATE publications SET status = 'failed', failure_class = 'rejected_content', error = 'Validation failed: Text character limit of 500 exceeded'
            WHERE id = \(made.id)
            """,
            logger: database.logger
        )
        return (workspace, try await PublicationStore(database).find(made.id))
    }

    /// Claims the due notify jobs and runs each with `handler`; returns what each run threw (nil when it succeeded).
    func runNotifyJobs(_ database: Database, handler: NotifyHandler, now: Date) async throws -> [(any Error)?] {
        try await runNotifyJobsKeepingThem(database, handler: handler, now: now).map(\.error)
    }

    /// Claims the due notify jobs and runs each with `handler`; returns each job with what its run threw.
    func runNotifyJobsKeepingThem(_ database: Database, handler: NotifyHandler, now: Date) async throws -> [(job: ClaimedJob, error: (any Error)?)] {
        let jobs = try await JobQueue(database).claim(queues: ["default"], limit: 10, worker: "test", lease: 60, now: now)
        let context = JobContext(database: database, clock: ManualClock(now: now), logger: TestDatabase.logger, worker: "test")
        var outcomes: [(job: ClaimedJob, error: (any Error)?)] = []
        for job in jobs {
            #expect(job.kind == "notify")
            do {
                try await handler.run(job, context: context)
                outcomes.append((job, nil))
            } catch {
                outcomes.append((job, error))
            }
        }
        return outcomes
    }

    @Test func aFailedPublicationReachesTheReceiverSignedWithItsReason() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let (workspace, failed) = try await failedPublication(database)
            try await WebhookReceiver.with { receiver, url in
                let webhooks = LifecycleWebhookStore(database, workspace: workspace)
                _ = try await webhooks.add(url: url, events: [.publicationFailed], secretEnv: "HERALD_WEBHOOK_OPS")
                // Subscribed to other events only: gets nothing.
                _ = try await webhooks.add(url: url + "/other", events: [.publicationPublished], secretEnv: "HERALD_WEBHOOK_OPS")
                let events = LifecycleEvents(database: database, clock: ManualClock(now: start))
                #expect(try await events.publicationFailed(failed) == 1)
                // The same event again while its job waits: not queued twice.
                #expect(try await events.publicationFailed(failed) == 0)
                // A failed publication is never announced as published.
                #expect(try await events.publicationPublished(failed) == 0)
                let job = try #require(try await JobQueue(database).list(limit: 10).first { $0.kind == "notify" })
                #expect(job.maxAttempts == LifecycleEvents.maxAttempts)

                let handler = NotifyHandler(secrets: WebhookSecrets(["HERALD_WEBHOOK_OPS": Self.secret]))
                let outcomes = try await runNotifyJobs(database, handler: handler, now: start.addingTimeInterval(1))
                #expect(outcomes.count == 1 && outcomes.allSatisfy { $0 == nil })
                let request = try #require(receiver.requests.first)
                #expect(receiver.requests.count == 1)
                #expect(request.method == "POST" && request.path == "/hooks/herald")
                let timestamp = try #require(Int(request.headers["herald-timestamp"] ?? ""))
                let signature = try #require(request.headers["herald-signature"])
                #expect(WebhookSignature.verify(signature: signature, body: request.body, timestamp: timestamp, secret: Self.secret))
                #expect(!WebhookSignature.verify(signature: signature, body: request.body + " ", timestamp: timestamp, secret: Self.secret))
                #expect(request.headers["herald-event"] == "publication.failed")

                let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any])
                let id = try #require(body["id"] as? String)
                #expect(request.headers["idempotency-key"] == id)
                #expect(body["type"] as? String == "publication.failed")
                #expect(body["created_at"] as? String == Timestamp.format(start))
                let publication = try #require((body["data"] as? [String: Any])?["publication"] as? [String: Any])
                #expect(publication["id"] as? String == failed.id.uuidString.lowercased())
                #expect(publication["campaign"] as? String == "spring")
                #expect(publication["variant"] as? String == "B")
                #expect(publication["channel"] as? String == "mastodon")
                #expect(publication["state"] as? String == "failed")
                #expect(publication["failure_class"] as? String == "rejected_content")
                #expect(publication["error"] as? String == "Validation failed: Text character limit of 500 exceeded")
                #expect(publication["provider_id"] is NSNull && publication["provider_url"] is NSNull && publication["account"] is NSNull)
                #expect(
                    Set(publication.keys)
                        == ["id", "campaign", "variant", "channel", "account", "state", "provider_id", "provider_url", "error", "failure_class"]
                )

                // Retried by a person and failed again: a new event, with a new id.
                try await database.client.execute("UPDATE publications SET retries = 1 WHERE id = \(failed.id)", logger: database.logger)
                #expect(try await events.publicationFailed(failed) == 1)
                _ = try await runNotifyJobs(database, handler: handler, now: start.addingTimeInterval(2))
                #expect(receiver.requests.count == 2)
                #expect(receiver.requests.last?.headers["idempotency-key"] != id)
            }
        }
    }

    @Test func aReceiverThatFailsIsTriedAgainWithTheSameEvent() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let (workspace, failed) = try await failedPublication(database)
            try await WebhookReceiver.with { receiver, url in
                _ = try await LifecycleWebhookStore(database, workspace: workspace).add(
                    url: url,
                    events: LifecycleEventType.allCases,
                    secretEnv: "HERALD_WEBHOOK_OPS"
                )
                try await LifecycleEvents(database: database, clock: ManualClock(now: start)).publicationFailed(failed)
                let handler = NotifyHandler(secrets: WebhookSecrets(["HERALD_WEBHOOK_OPS": Self.secret]))
                receiver.answer(503)
                let first = try await runNotifyJobsKeepingThem(database, handler: handler, now: start)
                #expect(first.count == 1 && first[0].error is WebhookSender.DeliveryError)
                // As the worker does: the job fails with a backoff, and runs again once it is due.
                let job = try #require(first.first?.job)
                try await JobQueue(database).fail(job, worker: "test", error: "answered 503", retryAt: start.addingTimeInterval(10), now: start)
                #expect(try await runNotifyJobs(database, handler: handler, now: start.addingTimeInterval(5)).isEmpty)
                receiver.answer(200)
                let second = try await runNotifyJobs(database, handler: handler, now: start.addingTimeInterval(30))
                #expect(second.count == 1 && second[0] == nil)
                let requests = receiver.requests
                #expect(requests.count == 2)
                #expect(requests[0].body == requests[1].body)
                #expect(requests[0].headers["idempotency-key"] == requests[1].headers["idempotency-key"])
            }
        }
    }

    @Test func aRemovedWebhookDropsItsEventsAndAMissingSecretFailsAtOnce() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let (workspace, failed) = try await failedPublication(database)
            try await WebhookReceiver.with { receiver, url in
                let store = LifecycleWebhookStore(database, workspace: workspace)
                let removed = try await store.add(url: url, events: [.publicationFailed], secretEnv: "HERALD_WEBHOOK_GONE")
                _ = try await store.add(url: url, events: [.publicationFailed], secretEnv: "HERALD_WEBHOOK_UNSET")
                #expect(try await LifecycleEvents(database: database, clock: ManualClock(now: start)).publicationFailed(failed) == 2)
                try await store.remove(removed.id)
                let outcomes = try await runNotifyJobs(database, handler: NotifyHandler(secrets: WebhookSecrets([:])), now: start)
                #expect(outcomes.count == 2)
                #expect(outcomes.filter { $0 == nil }.count == 1)
                let permanent = try #require(outcomes.compactMap { $0 as? PermanentJobError }.first)
                #expect(permanent.message.contains("HERALD_WEBHOOK_UNSET is not set"))
                #expect(receiver.requests.isEmpty)
            }
        }
    }

    @Test func eventJSONAndIDsAreStable() throws {
        let id = LifecycleEvents.eventID("publication.failed", "6f9619ff-8b86-d011-b42d-00c04fc964ff", "0")
        #expect(id == LifecycleEvents.eventID("publication.failed", "6f9619ff-8b86-d011-b42d-00c04fc964ff", "0"))
        #expect(id != LifecycleEvents.eventID("publication.failed", "6f9619ff-8b86-d011-b42d-00c04fc964ff", "1"))
        #expect(id.uuidString.lowercased().dropFirst(14).hasPrefix("8"))
        let event = LifecycleEvent(
            id: id,
            type: .accountNeedsReconnect,
            createdAt: start,
            subject: .account(.init(name: "brand", kind: "mastodon", health: "needs_reconnect", reason: "The access token was revoked"))
        )
        #expect(
            try event.json()
                == #"{"created_at":"\#(Timestamp.format(start))","data":{"account":{"health":"needs_reconnect","kind":"mastodon","name":"brand","reason":"The access token was revoked"}},"id":"\#(id.uuidString.lowercased())","type":"account.needs_reconnect"}"#
        )
        let payload = NotifyPayload(
            event: .publicationFailed,
            eventID: id,
            workspace: WorkspaceID(UUID(uuidString: "8f14e45f-ceea-467f-a0e6-1b2c3d4e5f60")!),
            webhook: UUID(uuidString: "6F9619FF-8B86-D011-B42D-00C04FC964FF")!,
            body: "{}"
        )
        #expect(try NotifyPayload(json: payload.json) == payload)
        #expect(payload.json.contains(#""webhook_id":"6f9619ff-8b86-d011-b42d-00c04fc964ff""#))
    }
}
