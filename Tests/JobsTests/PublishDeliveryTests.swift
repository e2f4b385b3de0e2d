import AsyncHTTPClient
import Connectors
import Crypto
import Foundation
import HeraldCore
import HeraldTestSupport
import Jobs
import PlatformStandIns
import PostgresNIO
import Scheduling
import Testing

@testable import Storage

/// The delivery state machine against a real webhook receiver on loopback (signature checked, duplicates kept once by
/// `Idempotency-Key`): published with the receiver's id, and each class of failure handled as the issue says.
@Suite struct PublishDeliveryTests {
    static let secret = "whsec-test"

    struct Fixture {
        let database: Database
        let receiver: PlatformStandIns.WebhookReceiver
        let handler: PublishHandler
        let workspace: WorkspaceID
        let campaign: Campaign
        let account: UUID
        let queue: JobQueue
        let secrets: SecretBox

        /// Fires the campaign once at `time` and returns its webhook publication.
        func fire(at time: Date) async throws -> Publication {
            let fire = CampaignFire(database: database, publicURL: "https://h.example", logger: TestDatabase.logger)
            return try #require(try await fire.fire(campaign, at: time, now: time).first)
        }

        /// Claims the publication's job and runs it once (with `handler`, else the fixture's); returns the error it threw
        /// (nil: it finished).
        func runOnce(now: Date = Date(), handler: PublishHandler? = nil) async throws -> (any Error)? {
            let handler = handler ?? self.handler
            let job = try #require(
                try await queue.claim(queues: ["default"], limit: 1, worker: "w1", lease: 60, now: now.addingTimeInterval(86_400 * 2)).first
            )
            let context = JobContext(database: database, clock: ManualClock(now: now), logger: TestDatabase.logger, worker: "w1")
            do {
                try await handler.run(job, context: context)
                _ = try await queue.complete([job], worker: "w1", now: now)
                return nil
            } catch let postponed as PostponeJob {
                try await queue.postpone(job, worker: "w1", until: postponed.until, reason: postponed.reason)
                return postponed
            } catch {
                try await queue.fail(job, worker: "w1", error: "\(error)", retryAt: now, now: now)
                return error
            }
        }

        func publication(_ id: UUID) async throws -> Publication { try await PublicationStore(database).find(id) }

        func health() async throws -> (String, String?) {
            let rows = try await database.client.query("SELECT health, health_reason FROM accounts WHERE id = \(account)", logger: database.logger)
            for try await row in rows.decode((String, String?).self) { return row }
            return ("?", nil)
        }
    }

    static func withFixture(timeout: Duration = .seconds(10), _ body: (Fixture) async throws -> Void) async throws {
        let receiver = PlatformStandIns.WebhookReceiver(secret: secret)
        try await StandInServer.run(receiver.router()) { base in
            try await TestDatabase.withFreshDatabase { database in
                let workspace = try await WorkspaceStore(database).ensure(slug: "default")
                let secrets = SecretBox(key: SymmetricKey(size: .bits256))
                let account = try await AccountStore(database, workspace: workspace, secrets: secrets).connect(
                    name: "hook",
                    kind: .webhook,
                    baseURL: base + "/hook",
                    handle: nil,
                    credentials: Credentials(signingSecret: secret),
                    followers: nil
                ).id
                let campaign = try await CampaignStore(database, workspace: workspace).create(
                    try CampaignSpec(
                        name: "Hooked",
                        channels: [.webhook],
                        destination: "https://shop.example.com",
                        variants: [.init(key: "A", text: "Trail season is here.")]
                    )
                )
                let http = PlatformHTTP(client: .shared, timeout: timeout)
                let accounts = StoredAccountConnections(database: database, secrets: secrets, registry: ConnectorRegistry(http: http))
                let handler = PublishHandler(publicURL: "https://h.example", accounts: accounts)
                try await body(
                    Fixture(
                        database: database,
                        receiver: receiver,
                        handler: handler,
                        workspace: workspace,
                        campaign: campaign,
                        account: account,
                        queue: JobQueue(database),
                        secrets: secrets
                    )
                )
            }
        }
    }

    @Test func publishesToTheReceiverWithItsIdAndASignature() async throws {
        try await Self.withFixture { fixture in
            let publication = try await fixture.fire(at: Date())
            #expect(publication.account == fixture.account)
            #expect(try await fixture.runOnce() == nil)
            let stored = try await fixture.publication(publication.id)
            #expect(stored.status == "published")
            #expect(stored.providerID == "1")
            #expect(fixture.receiver.deliveries.count == 1)
            #expect(fixture.receiver.refused == 0)
            #expect(fixture.receiver.deliveries.first?.text?.contains("https://h.example/r/") == true)
            let attempts = try await DeliveryStore(fixture.database).attempts(of: publication.id)
            #expect(attempts.map(\.outcome) == [.published])
        }
    }

    @Test func aServerErrorIsRetriedAndPostsOnce() async throws {
        try await Self.withFixture { fixture in
            fixture.receiver.faults.inject(.answer(status: 503, body: #"{"error":"down for maintenance"}"#), into: "post")
            let publication = try await fixture.fire(at: Date())
            let error = try await fixture.runOnce()
            #expect((error as? ConnectorError)?.kind == .transient)
            #expect(try await fixture.publication(publication.id).status == "scheduled")
            #expect(try await fixture.publication(publication.id).failureClass == "transient")
            #expect(try await fixture.runOnce() == nil)
            #expect(try await fixture.publication(publication.id).status == "published")
            #expect(fixture.receiver.deliveries.count == 1)
        }
    }

    @Test func aRateLimitWaitsForTheResetWithoutUsingAnAttempt() async throws {
        try await Self.withFixture { fixture in
            fixture.receiver.faults.inject(.answer(status: 429, headers: ["Retry-After": "120"], body: #"{"error":"slow down"}"#), into: "post")
            let publication = try await fixture.fire(at: Date())
            let now = Date()
            let postponed = try #require(try await fixture.runOnce(now: now) as? PostponeJob)
            // The reset is the receiver's Retry-After from when it answered (a busy machine may answer seconds later).
            #expect(postponed.until.timeIntervalSince(now) >= 119 && postponed.until.timeIntervalSince(now) < 180)
            #expect(try await fixture.health().0 == "rate_limited")
            #expect(try await fixture.publication(publication.id).status == "scheduled")
            // Before the reset nothing is sent; after it, the post goes out once.
            let early = try #require(try await fixture.runOnce(now: now.addingTimeInterval(30)) as? PostponeJob)
            #expect(early.reason.contains("rate limited"))
            #expect(fixture.receiver.requests == 1)
            #expect(try await fixture.runOnce(now: now.addingTimeInterval(200)) == nil)
            #expect(try await fixture.publication(publication.id).status == "published")
            #expect(try await fixture.health().0 == "ok")
            let jobs = try await JobQueue(fixture.database).list(limit: 10).filter { $0.kind == "publish" }
            #expect(jobs.map(\.attempts) == [1])
        }
    }

    @Test func aRefusedSignatureNeedsReconnectingOnceAndSendsNothingMore() async throws {
        try await Self.withFixture { fixture in
            fixture.receiver.faults.inject(.answer(status: 401, body: #"{"error":"bad signature"}"#), into: "post")
            let first = try await fixture.fire(at: Date())
            let second = try await fixture.fire(at: Date().addingTimeInterval(3_600))
            #expect(try await fixture.runOnce() is PostponeJob)
            #expect(try await fixture.health() == ("needs_reconnect", "webhook answered 401: {\"error\":\"bad signature\"}"))
            #expect(try await fixture.runOnce() is PostponeJob)
            #expect(fixture.receiver.requests == 1)
            for id in [first.id, second.id] {
                let stored = try await fixture.publication(id)
                #expect(stored.status == "scheduled")
                #expect(stored.error?.contains("needs reconnecting") == true)
            }
        }
    }

    @Test func refusedContentFailsAtOnceWithTheReceiversReason() async throws {
        try await Self.withFixture { fixture in
            fixture.receiver.faults.inject(.answer(status: 422, body: #"{"error":"text mentions a competitor"}"#), into: "post")
            let publication = try await fixture.fire(at: Date())
            #expect(try await fixture.runOnce() == nil)
            let stored = try await fixture.publication(publication.id)
            #expect(stored.status == "failed")
            #expect(stored.failureClass == "rejected_content")
            #expect(stored.error?.contains("text mentions a competitor") == true)
            #expect(fixture.receiver.requests == 1)
        }
    }

    @Test func aTimeoutAfterTheReceiverKeptThePostIsSettledWithoutASecondPost() async throws {
        try await Self.withFixture(timeout: .seconds(1)) { fixture in
            fixture.receiver.faults.inject(.storeThenStall(seconds: 4), into: "post")
            let publication = try await fixture.fire(at: Date())
            let error = try await fixture.runOnce()
            #expect((error as? ConnectorError)?.kind == .unknownOutcome)
            #expect(try await fixture.publication(publication.id).status == "sending")
            // The settling run may take its time (a busy machine): it must not time out itself.
            let patient = PublishHandler(
                publicURL: "https://h.example",
                accounts: StoredAccountConnections(
                    database: fixture.database,
                    secrets: fixture.secrets,
                    registry: ConnectorRegistry(http: PlatformHTTP(client: .shared, timeout: .seconds(60)))
                )
            )
            #expect(try await fixture.runOnce(handler: patient) == nil)
            let stored = try await fixture.publication(publication.id)
            #expect(stored.status == "published")
            #expect(stored.providerID == "1")
            #expect(fixture.receiver.deliveries.count == 1)
            let attempts = try await DeliveryStore(fixture.database).attempts(of: publication.id)
            let outcomes = attempts.map(\.outcome)
            #expect(outcomes == [.unknownOutcome, .published])
        }
    }
}
