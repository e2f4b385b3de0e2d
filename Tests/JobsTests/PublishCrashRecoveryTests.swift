import Connectors
import Crypto
import Foundation
import HeraldCore
import HeraldTestSupport
import Jobs
import PlatformStandIns
import Scheduling
import Storage
import Testing

/// A worker stopped dead between the platform's answer and Herald's record of it (its task ends inside the fault
/// pause, as a `kill -9` would leave it: the post on the platform, the attempt recorded without an outcome, the
/// publication `sending`): the job's next run reconciles by looking the post up and records it, and the platform
/// has exactly one post. Against the Mastodon, Bluesky, X and LinkedIn stand-ins (local servers following each one's
/// documented API); the webhook's case runs with a real `kill -9` in HeraldCLITests.
@Suite struct PublishCrashRecoveryTests {
    enum Platform: String, CaseIterable, Sendable { case mastodon, bluesky, x, linkedin }

    @Test(arguments: Platform.allCases)
    func aPostMadeBeforeTheWorkerDiedIsFoundNotPostedAgain(_ platform: Platform) async throws {
        let mastodon = MastodonStandIn()
        let bluesky = BlueskyStandIn()
        let x = XStandIn()
        let linkedIn = LinkedInStandIn(activeVersions: [LinkedInRequests.version])
        let router =
            switch platform {
            case .mastodon: mastodon.router()
            case .bluesky: bluesky.router()
            case .x: x.router()
            case .linkedin: linkedIn.router()
            }
        try await StandInServer.run(router) { base in
            try await TestDatabase.withFreshDatabase { database in
                let workspace = try await WorkspaceStore(database).ensure(slug: "default")
                let secrets = SecretBox(key: SymmetricKey(size: .bits256))
                let channel = HeraldCore.Channel(rawValue: platform.rawValue)!
                let credentials: Credentials
                var handle: String?
                switch platform {
                case .mastodon:
                    credentials = Credentials(accessToken: mastodon.issueToken())
                case .bluesky:
                    bluesky.addAccount(handle: "brand.test", appPassword: "abcd-efgh-ijkl-mnop")
                    credentials = Credentials(appPassword: "abcd-efgh-ijkl-mnop")
                    handle = "brand.test"
                case .x:
                    let tokens = x.oauth.issue(clientID: "herald-client")
                    credentials = Credentials(accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, clientID: "herald-client")
                    handle = x.userID
                case .linkedin:
                    let tokens = linkedIn.oauth.issue(clientID: "herald-client")
                    credentials = Credentials(accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, clientID: "herald-client")
                    handle = linkedIn.personURN
                }
                _ = try await AccountStore(database, workspace: workspace, secrets: secrets).connect(
                    name: "brand",
                    kind: AccountKind(channel: channel)!,
                    baseURL: base,
                    handle: handle,
                    credentials: credentials,
                    followers: 10
                )
                let campaign = try await CampaignStore(database, workspace: workspace).create(
                    try CampaignSpec(
                        name: "Crash",
                        channels: [channel],
                        destination: "https://shop.example.com",
                        variants: [.init(key: "A", text: "Trail season is here. #trail")]
                    )
                )
                let now = Date()
                let publication = try #require(
                    try await CampaignFire(database: database, publicURL: "https://h.example", logger: TestDatabase.logger)
                        .fire(campaign, at: now, now: now).first
                )
                let queue = JobQueue(database)
                let job = try #require(try await queue.claim(queues: ["default"], limit: 1, worker: "w1", lease: 60, now: now).first)
                let context = JobContext(database: database, clock: SystemClock(), logger: TestDatabase.logger, worker: "w1")
                let accounts = StoredAccountConnections(database: database, secrets: secrets)
                func posts() -> Int {
                    switch platform {
                    case .mastodon: mastodon.statuses.count
                    case .bluesky: bluesky.records.count
                    case .x: x.posts.count
                    case .linkedin: linkedIn.posts.count
                    }
                }

                // The first run posts, then stops dead before recording it.
                let dying = PublishHandler(pauseAfterDelivery: .seconds(600), publicURL: "https://h.example", accounts: accounts)
                let run = Task { try await dying.run(job, context: context) }
                #expect(try await waitUntil { posts() == 1 })
                run.cancel()
                _ = try? await run.value
                #expect(try await PublicationStore(database).find(publication.id).status == "sending")
                #expect(try await DeliveryStore(database).attempts(of: publication.id).map(\.outcome) == [nil])

                // The job runs again (as after its lease expired): reconciled, recorded, not posted again.
                let handler = PublishHandler(publicURL: "https://h.example", accounts: accounts)
                try await handler.run(job, context: context)
                let stored = try await PublicationStore(database).find(publication.id)
                #expect(stored.status == "published")
                #expect(stored.providerID != nil)
                #expect(posts() == 1)
                #expect(try await DeliveryStore(database).attempts(of: publication.id).map(\.outcome) == [nil, .found])
            }
        }
    }
}
