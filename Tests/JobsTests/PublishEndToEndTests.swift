import Analytics
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

/// The loop on a platform, end to end: a schedule's fire → the publish job → the status on the Mastodon stand-in
/// (a local server following Mastodon's documented API) → its counts collected → engagement events → rollups → analysis.
@Suite struct PublishEndToEndTests {
    @Test func aScheduledPostReachesMastodonAndItsEngagementComesBackIntoTheAnalysis() async throws {
        let mastodon = MastodonStandIn(configuration: .init(followers: 50))
        let token = mastodon.issueToken()
        try await StandInServer.run(mastodon.router()) { base in
            try await TestDatabase.withFreshDatabase { database in
                let workspace = try await WorkspaceStore(database).ensure(slug: "default")
                let secrets = SecretBox(key: SymmetricKey(size: .bits256))
                let account = try await AccountStore(database, workspace: workspace, secrets: secrets).connect(
                    name: "brand",
                    kind: .mastodon,
                    baseURL: base,
                    handle: nil,
                    credentials: Credentials(accessToken: token),
                    followers: 50
                )
                let spec = try CampaignSpec(
                    name: "Trail",
                    primaryMetric: .like,
                    channels: [.mastodon],
                    destination: "https://shop.example.com/trail",
                    schedule: .init(cron: "0 9 * * *", tz: "Europe/Berlin"),
                    variants: [.init(key: "A", text: "Trail season is here: 20% off this weekend.")],
                    accounts: [.mastodon: "brand"]
                )
                let schedule = try #require(try CampaignSchedule.validate(spec))
                let campaign = try await CampaignStore(database, workspace: workspace)
                    .create(spec, schedule: CampaignSchedule.attachment(schedule, now: Date()))
                // The schedule fires: its stored job, due now.
                let stored = try #require(try await ScheduleStore(database).list().first)
                try await JobQueue(database).enqueue([JobRequest(payload: try PublishCampaignPayload(json: stored.jobPayload), runAt: Date())])

                let accounts = StoredAccountConnections(database: database, secrets: secrets)
                let handlers = JobHandlers.standard(
                    reportsDirectory: FileManager.default.temporaryDirectory,
                    publicURL: "https://h.example",
                    accounts: accounts
                )
                var configuration = WorkerConfiguration(id: "e2e", concurrency: 2)
                configuration.pollInterval = .milliseconds(100)
                let worker = Worker(
                    database: database,
                    handlers: handlers,
                    clock: SystemClock(),
                    configuration: configuration,
                    logger: TestDatabase.logger
                )
                let running = Task { try await worker.run() }
                let publications = PublicationStore(database)
                // Published, and the jobs that published it finished: stopping the worker between the two would leave the
                // publish job running, to be claimed again below in place of the metrics job (a loaded CI run did).
                let publishing = [JobKind.publishCampaign.rawValue, JobKind.publish.rawValue]
                let posted = try await waitUntil {
                    guard try await publications.list(workspace: workspace, campaign: campaign.id).first?.status == "published" else { return false }
                    let rows = try await database.client.query(
                        "SELECT count(*)::int FROM jobs WHERE kind = ANY(\(publishing))",
                        logger: database.logger
                    )
                    for try await left in rows.decode(Int.self) { return left == 0 }
                    return true
                }
                running.cancel()
                _ = try? await running.value
                #expect(posted)
                let publication = try #require(try await publications.list(workspace: workspace, campaign: campaign.id).first)
                let status = try #require(mastodon.statuses.first)
                #expect(mastodon.statuses.count == 1)
                #expect(publication.providerID == status.id)
                #expect(publication.account == account.id)
                #expect(status.text.contains("https://h.example/r/\(publication.trackingCode)"))

                // People engage; an hour later the collection runs (the first of its decaying rounds).
                mastodon.setCounts(statusID: status.id, favourites: 7, reblogs: 2, replies: 1)
                let later = Date().addingTimeInterval(2 * 3_600)
                let job = try #require(
                    try await JobQueue(database).claim(queues: ["default"], limit: 1, worker: "e2e", lease: 60, now: later).first
                )
                #expect(job.kind == JobKind.collectMetrics.rawValue)
                let context = JobContext(database: database, clock: ManualClock(now: later), logger: TestDatabase.logger, worker: "e2e")
                try await #require(handlers[job.kind]).run(job, context: context)
                // Collecting the same round again counts nothing twice.
                try await #require(handlers[job.kind]).run(job, context: context)

                let outcome = try await CampaignAnalysis(database: database, workspace: workspace)
                    .analyze(try await CampaignStore(database, workspace: workspace).find(campaign.id), now: later)
                let arm = try #require(outcome.input.arms.first)
                #expect(arm.successes == 7)  // likes, the primary metric
                #expect(arm.trials == 50)  // follower reach at posting time: Mastodon gives no impressions
            }
        }
    }
}
