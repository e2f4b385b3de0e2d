import Connectors
import Foundation
import HeraldCore
import HeraldTestSupport
import Logging
import PostgresNIO
import Scheduling
import Synchronization
import Testing

@testable import Jobs
@testable import Storage

/// Storing snapshots and turning them into events against a real database: collecting again never counts twice.
struct CollectMetricsTests {
    static let spec = try! CampaignSpec(
        name: "Engagement back",
        primaryMetric: .like,
        channels: [.mastodon, .x],
        variants: [.init(key: "A", text: "Trail season is here."), .init(key: "B", text: "Ready for your first ultra?")]
    )
    static let published = Date(timeIntervalSince1970: 1_780_000_000)  // 2026-05-28

    struct Fixture {
        var database: Database
        var workspace: WorkspaceID
        var campaign: Campaign
        var mastodon: MetricsTarget
        var x: MetricsTarget
    }

    func withFixture(_ body: (Fixture) async throws -> Void) async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let campaign = try await CampaignStore(database, workspace: workspace).create(Self.spec)
            let store = PublicationStore(database)
            var targets: [MetricsTarget] = []
            for (variant, channel) in [(campaign.variants[0], HeraldCore.Channel.mastodon), (campaign.variants[1], .x)] {
                let publication = try await store.create(
                    workspace: workspace,
                    campaign: campaign.id,
                    variant: variant.id,
                    channel: channel,
                    scheduledAt: Self.published,
                    idempotencyKey: "test:\(variant.key):\(channel.rawValue)"
                )
                try await store.markPublished(publication.id, at: Self.published)
                targets.append(try #require(try await store.metricsTarget(publication.id)))
            }
            try await body(Fixture(database: database, workspace: workspace, campaign: campaign, mastodon: targets[0], x: targets[1]))
        }
    }

    func snapshot(_ target: MetricsTarget, hours: Double, round: Int, likes: Int, shares: Int = 0, impressions: Int? = nil) -> EngagementSnapshot {
        EngagementSnapshot(
            publication: target.publication,
            takenAt: Self.published.addingTimeInterval(hours * 3_600),
            round: round,
            likes: likes,
            shares: shares,
            comments: 0,
            impressions: impressions
        )
    }

    @Test func collectingAgainGivesTheSameEvents() async throws {
        try await withFixture { fixture in
            let reach = try #require(try await PublicationStore(fixture.database).setReach(fixture.mastodon.publication, followers: 40))
            // A later reading does not change the reach at posting time.
            #expect(try await PublicationStore(fixture.database).setReach(fixture.mastodon.publication, followers: 45) == 40)
            let readings = [
                snapshot(fixture.mastodon, hours: 1, round: 1, likes: 3, shares: 1),
                snapshot(fixture.mastodon, hours: 6, round: 2, likes: 2, shares: 1),  // an unlike: kept as a snapshot only
                snapshot(fixture.mastodon, hours: 24, round: 3, likes: 5, shares: 1),
            ]
            var accepted = 0
            for reading in readings + readings {
                let result = try await CollectMetricsHandler.collect(reading, reach: reach, target: fixture.mastodon, database: fixture.database)
                accepted += result.ingested.accepted
            }
            #expect(accepted == 40 + 5 + 1)
            let snapshots = EngagementSnapshotStore(fixture.database, workspace: fixture.workspace)
            #expect(try await snapshots.snapshots(of: fixture.mastodon.publication).map(\.likes) == [3, 2, 5])
            #expect(try await snapshots.latest(of: fixture.mastodon.publication)?.round == 3)
            #expect(try await snapshots.highest(of: fixture.mastodon.publication)?.likes == 5)
            #expect(
                try await snapshots.counted(of: fixture.mastodon.publication) == EngagementTotals(likes: 5, shares: 1, comments: 0, exposure: 40)
            )
            // Ingesting every event of the counts again through the one ingestor: every one a duplicate by id.
            let all = EngagementIncrease.events(
                from: .zero,
                to: EngagementTotals(likes: 5, shares: 1, exposure: 40),
                publication: fixture.mastodon.publication,
                variant: fixture.mastodon.variant,
                channel: fixture.mastodon.channel,
                at: Self.published.addingTimeInterval(48 * 3_600)
            )
            let again = try await EventIngestor(fixture.database, workspace: fixture.workspace).ingest(all)
            #expect(again == IngestResult(accepted: 0, duplicates: 46))
            let totals = try await EventStore(fixture.database, workspace: fixture.workspace)
                .totalsPerChannel(campaign: fixture.campaign.id, metric: .like)
            #expect(totals.map(\.channel) == ["mastodon"])
            #expect(totals.first?.impressions == 40 && totals.first?.successes == 5)
        }
    }

    @Test func impressionsReportedByThePlatformAreTheExposure() async throws {
        try await withFixture { fixture in
            for reading in [
                snapshot(fixture.x, hours: 1, round: 1, likes: 2, impressions: 120),
                snapshot(fixture.x, hours: 6, round: 2, likes: 4, impressions: 300),
            ] {
                _ = try await CollectMetricsHandler.collect(reading, reach: nil, target: fixture.x, database: fixture.database)
            }
            let totals = try await EventStore(fixture.database, workspace: fixture.workspace)
                .totalsPerChannel(campaign: fixture.campaign.id, metric: .like)
            #expect(totals.map(\.channel) == ["x"])
            #expect(totals.first?.impressions == 300 && totals.first?.successes == 4)
        }
    }

    @Test func withoutExposureTheCountsWaitAsSnapshots() async throws {
        try await withFixture { fixture in
            _ = try await post(fixture.mastodon, kind: .mastodon, fixture: fixture)
            _ = try await post(fixture.x, kind: .x, fixture: fixture)
            let first = snapshot(fixture.mastodon, hours: 1, round: 1, likes: 3)
            let unknown = try await CollectMetricsHandler.collect(first, reach: nil, target: fixture.mastodon, database: fixture.database)
            #expect(unknown.ingested.accepted == 0 && unknown.counted == .zero)
            // Once the reach is known, the likes collected before count too.
            let second = snapshot(fixture.mastodon, hours: 6, round: 2, likes: 2)
            let known = try await CollectMetricsHandler.collect(second, reach: 10, target: fixture.mastodon, database: fixture.database)
            #expect(known.counted == EngagementTotals(likes: 2, exposure: 10))
            #expect(known.ingested.accepted == 12)
            let collection = try await EngagementSnapshotStore(fixture.database, workspace: fixture.workspace)
                .collection(campaign: fixture.campaign.id, channels: ["mastodon", "x"])
            #expect(collection.map(\.channel) == ["mastodon", "x"])
            #expect(collection[0].latestRound == 2 && collection[0].latestAt == second.takenAt && collection[0].published == 1)
            #expect(collection[1].latestAt == nil && collection[1].latestRound == nil)
        }
    }

    /// Makes the publication a post on a platform through a connected account (what the lead's PublishHandler records).
    func post(_ target: MetricsTarget, kind: AccountKind, fixture: Fixture) async throws -> UUID {
        let database = fixture.database
        let rows = try await database.client.query(
            """
            INSERT INTO accounts (workspace_id, name, kind, base_url, credentials, key_id, pace_per_hour, pace_burst, bucket_tokens)
            VALUES (\(fixture.workspace.uuid), \(kind.rawValue), \(kind.rawValue), 'https://platform.example', '\\x00'::bytea, 'k1', 60, 1, 1)
            RETURNING id
            """,
            logger: database.logger
        )
        var account = UUID()
        for try await id in rows.decode(UUID.self) { account = id }
        try await database.client.query(
            "UPDATE publications SET account_id = \(account), provider_id = '109' WHERE id = \(target.publication)",
            logger: database.logger
        )
        return account
    }

    @Test func theHandlerReadsTheCountsRecordsTheReachAndCountsThemOnce() async throws {
        try await withFixture { fixture in
            let account = try await post(fixture.mastodon, kind: .mastodon, fixture: fixture)
            let connections = StubConnections(
                connector: StubConnector(kind: .mastodon, counts: EngagementCounts(likes: 4, shares: 1, comments: 2), followers: 30)
            )
            let handler = CollectMetricsHandler(accounts: connections)
            let clock = ManualClock(now: Self.published.addingTimeInterval(3_600))
            let context = JobContext(database: fixture.database, clock: clock, logger: Logger(label: "test"), worker: "test")
            let job = ClaimedJob(id: 1, kind: "collect_metrics", queue: "default", payload: "", attempt: 1, maxAttempts: 5, runAt: clock.now())
            try await handler.run(job, payload: CollectMetricsPayload(publication: fixture.mastodon.publication, round: 1), context: context)
            clock.advance(to: clock.now().addingTimeInterval(5 * 3_600))
            try await handler.run(job, payload: CollectMetricsPayload(publication: fixture.mastodon.publication, round: 2), context: context)
            #expect(try await PublicationStore(fixture.database).metricsTarget(fixture.mastodon.publication)?.reach == 30)
            let snapshots = try await EngagementSnapshotStore(fixture.database, workspace: fixture.workspace).snapshots(
                of: fixture.mastodon.publication
            )
            #expect(snapshots.map(\.round) == [1, 2] && snapshots.allSatisfy { $0.impressions == nil && $0.likes == 4 })
            let totals = try await EventStore(fixture.database, workspace: fixture.workspace)
                .totalsPerChannel(campaign: fixture.campaign.id, metric: .like)
            #expect(totals.first?.impressions == 30 && totals.first?.successes == 4)
            #expect(connections.accounts.withLock { $0 } == [account, account])

            // Refused credentials: the account is reported once per failure, nothing is stored, the job ends.
            let refusing = StubConnections(
                connector: StubConnector(kind: .mastodon, failure: ConnectorError(.auth, "The access token is invalid", status: 401))
            )
            try await CollectMetricsHandler(accounts: refusing)
                .run(job, payload: CollectMetricsPayload(publication: fixture.mastodon.publication, round: 3), context: context)
            #expect(refusing.refusals.withLock { $0 } == 1)
            // Rate limited: retried at the platform's reset.
            let reset = clock.now().addingTimeInterval(900)
            let limited = StubConnections(
                connector: StubConnector(kind: .mastodon, failure: ConnectorError(.rateLimited, "slow down", status: 429, retryAt: reset))
            )
            let error = await #expect(throws: PostponeJob.self) {
                try await CollectMetricsHandler(accounts: limited)
                    .run(job, payload: CollectMetricsPayload(publication: fixture.mastodon.publication, round: 3), context: context)
            }
            #expect(error?.until == reset)
            #expect(
                try await EngagementSnapshotStore(fixture.database, workspace: fixture.workspace).snapshots(of: fixture.mastodon.publication).count
                    == 2
            )
            // A publication that is not a post on a platform has nothing to collect.
            try await handler.run(job, payload: CollectMetricsPayload(publication: fixture.x.publication, round: 1), context: context)
            #expect(try await EngagementSnapshotStore(fixture.database, workspace: fixture.workspace).snapshots(of: fixture.x.publication).isEmpty)
        }
    }

    @Test func platformFailuresDecideWhatFollows() async throws {
        let logger = Logger(label: "test")
        let reset = Date(timeIntervalSince1970: 1_780_003_600)
        let limited = await #expect(throws: PostponeJob.self) {
            _ = try await CollectMetricsHandler.classified(
                { () async throws -> Int in throw ConnectorError(.rateLimited, "slow down", status: 429, retryAt: reset) },
                refused: { _ in Issue.record("not an auth failure") },
                logger: logger
            )
        }
        #expect(limited?.until == reset)
        let refusals = Refusals()
        let refused = try await CollectMetricsHandler.classified(
            { () async throws -> Int in throw ConnectorError(.auth, "The access token is invalid", status: 401) },
            refused: { refusals.add($0) },
            logger: logger
        )
        #expect(refused == nil && refusals.count == 1)
        await #expect(throws: ConnectorError.self) {
            _ = try await CollectMetricsHandler.classified(
                { () async throws -> Int in throw ConnectorError(.transient, "bad gateway", status: 502) },
                refused: { _ in },
                logger: logger
            )
        }
        #expect(try await CollectMetricsHandler.classified({ 7 }, refused: { _ in }, logger: logger) == 7)
    }
}

/// Counts the refusals a handler reports.
final class Refusals: Sendable {
    private let errors = Mutex<[ConnectorError]>([])
    func add(_ error: ConnectorError) { errors.withLock { $0.append(error) } }
    var count: Int { errors.withLock { $0.count } }
}

/// Lends one connector for every account, and records what the handler asked.
final class StubConnections: AccountConnections {
    let connector: StubConnector
    let accounts = Mutex<[UUID]>([])
    let refusals = Mutex(0)

    init(connector: StubConnector) { self.connector = connector }

    func connection(for account: UUID, workspace: WorkspaceID) async throws -> (any ChannelConnector, ConnectedAccount) {
        accounts.withLock { $0.append(account) }
        return (
            connector,
            ConnectedAccount(id: account, name: "brand", kind: connector.kind, baseURL: "https://platform.example", credentials: Credentials())
        )
    }

    func setHealth(account: UUID, workspace: WorkspaceID, _ health: AccountHealth, reason: String?, until: Date?) async throws -> Bool {
        if health == .needsReconnect { refusals.withLock { $0 += 1 } }
        return true
    }
}

/// A platform that answers engagement and account checks with fixed values (or one failure).
struct StubConnector: ChannelConnector {
    let kind: AccountKind
    var counts = EngagementCounts()
    var followers: Int?
    var failure: ConnectorError?

    func publish(_ post: OutgoingPost, idempotencyKey: String, account: ConnectedAccount) async throws -> PostedPost {
        throw ConnectorError(.rejectedContent, "the stub does not publish")
    }

    func lookUp(_ post: OutgoingPost, idempotencyKey: String, account: ConnectedAccount) async throws -> PostedPost? { nil }

    func engagement(of post: PostedPost, account: ConnectedAccount) async throws -> EngagementCounts {
        if let failure { throw failure }
        return counts
    }

    func check(_ account: ConnectedAccount) async throws -> AccountProfile {
        if let failure { throw failure }
        return AccountProfile(id: "1", handle: "brand", followers: followers)
    }
}
