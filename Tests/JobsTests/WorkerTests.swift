import Foundation
import HeraldCore
import HeraldTestSupport
import Jobs
import PostgresNIO
import Scheduling
import Testing

@testable import Storage

/// Runs `noop` jobs: fails their first two attempts, then succeeds.
struct FlakyHandler: JobHandler {
    func run(_ job: ClaimedJob, payload: NoopPayload, context: JobContext) async throws {
        if job.attempt < 3 { throw StorageError("flaky failure on attempt \(job.attempt)") }
        try await ProbeHandler().run(job, context: context)
    }
}

struct WorkerTests {
    func count(_ database: Database, _ sql: PostgresQuery) async throws -> Int {
        for try await value in try await database.client.query(sql, logger: database.logger).decode(Int.self) { return value }
        return -1
    }

    @Test func runsEveryJobOnceRetriesWithBackoffAndKillsUnknownKinds() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let queue = JobQueue(database)
            let now = Date()
            try await queue.enqueue(Array(repeating: JobRequest(payload: ProbePayload(), runAt: now), count: 300))
            try await queue.enqueue([JobRequest(payload: NoopPayload(), runAt: now)])
            // A kind this version does not know (written by a newer one, say) can only be stored directly.
            try await database.client.query(
                "INSERT INTO jobs (kind, payload, queue, run_at, max_attempts) VALUES ('no-such-kind', '{}', 'default', \(now), 5)",
                logger: database.logger
            )
            var configuration = WorkerConfiguration(id: "test-worker", concurrency: 8)
            configuration.retry = RetryPolicy(base: 0.05, cap: 0.2, jitter: 0.5)
            configuration.pollInterval = .milliseconds(100)
            let worker = Worker(
                database: database,
                handlers: JobHandlers([ProbeHandler(), FlakyHandler()]),
                clock: SystemClock(),
                configuration: configuration,
                logger: TestDatabase.logger
            )
            let running = Task { try await worker.run() }
            // The wait is a bound for a worker that stopped, not a margin: the whole suite on 2 cores has taken over two
            // minutes for these 302 jobs (alone they take 3 s).
            #expect(
                try await waitUntil(timeout: .seconds(600)) {
                    // Completed jobs leave `jobs` for the history table `jobs_done`; dead ones stay for an operator to retry.
                    try await count(database, "SELECT ((SELECT count(*) FROM jobs_done) + (SELECT count(*) FROM jobs WHERE state = 'dead'))::int")
                        == 302
                }
            )
            running.cancel()
            _ = try? await running.value
            #expect(try await count(database, "SELECT count(*)::int FROM job_probes") == 301)
            #expect(try await count(database, "SELECT count(DISTINCT job_id)::int FROM job_probes") == 301)
            #expect(try await count(database, "SELECT count(*)::int FROM jobs_done") == 301)
            #expect(try await count(database, "SELECT attempts FROM jobs_done WHERE kind = 'noop'") == 3)
            let dead = try #require(try await queue.list(state: .dead).first)
            #expect(dead.kind == "no-such-kind")
            #expect(dead.lastError?.contains("no handler for job kind \"no-such-kind\"") == true)
        }
    }

    @Test func idleWorkerWakesOnNotifyBeforeThePollInterval() async throws {
        try await TestDatabase.withFreshDatabase { database in
            var configuration = WorkerConfiguration(id: "listener", concurrency: 2)
            // A poll would come only after 10 minutes: a start within a minute can only be the NOTIFY
            // (the bound is loose because CI machines can be very busy).
            configuration.pollInterval = .seconds(600)
            let worker = Worker(
                database: database,
                handlers: JobHandlers([ProbeHandler()]),
                clock: SystemClock(),
                configuration: configuration,
                logger: TestDatabase.logger
            )
            let running = Task { try await worker.run() }
            // Wait until the worker's LISTEN is in place (a NOTIFY before it would only be caught by polling).
            #expect(
                try await waitUntil {
                    try await count(
                        database,
                        "SELECT count(*)::int FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%'"
                    ) > 0
                }
            )
            try await Task.sleep(for: .milliseconds(200))
            let enqueued = ContinuousClock.now
            try await JobQueue(database).enqueue([JobRequest(payload: ProbePayload(), runAt: Date())])
            #expect(try await waitUntil { try await count(database, "SELECT count(*)::int FROM job_probes") == 1 })
            #expect(ContinuousClock.now - enqueued < .seconds(60))
            running.cancel()
            _ = try? await running.value
        }
    }

    @Test func campaignFirePublishesOnePostPerChannelFollowingTheSplitOnceEvenIfRepeated() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let spec = try CampaignSpec(
                name: "Fire",
                channels: [.x, .linkedin],
                schedule: .init(cron: "0 9 * * *", tz: "Europe/Berlin"),
                variants: [.init(key: "A", text: "one"), .init(key: "B", text: "two")],
                dryRun: true
            )
            let schedule = try #require(try CampaignSchedule.validate(spec))
            _ = try await CampaignStore(database, workspace: workspace)
                .create(spec, schedule: CampaignSchedule.attachment(schedule, now: Date()))
            let stored = try #require(try await ScheduleStore(database).list().first)
            #expect(stored.name == "campaign:fire" && stored.jobKind == JobKind.publishCampaign.rawValue && stored.nextFireAt != nil)
            let fire = Date().addingTimeInterval(-1)
            let request = JobRequest(payload: try PublishCampaignPayload(json: stored.jobPayload), runAt: fire)
            try await JobQueue(database).enqueue([request, request])  // a fire repeated by mistake
            var configuration = WorkerConfiguration(id: "fire-worker", concurrency: 4)
            configuration.pollInterval = .milliseconds(100)
            let worker = Worker(
                database: database,
                handlers: .standard(reportsDirectory: URL(fileURLWithPath: NSTemporaryDirectory())),
                clock: SystemClock(),
                configuration: configuration,
                logger: TestDatabase.logger
            )
            let running = Task { try await worker.run() }
            #expect(
                try await waitUntil {
                    let published = try await count(database, "SELECT count(*)::int FROM publications WHERE status = 'dry_run'")
                    // Every job completed: none left in `jobs` (pending, running, dead or cancelled), all in `jobs_done`.
                    let open = try await count(database, "SELECT count(*)::int FROM jobs")
                    let done = try await count(database, "SELECT count(*)::int FROM jobs_done")
                    return published == 2 && open == 0 && done >= 2
                }
            )
            running.cancel()
            _ = try? await running.value
            #expect(try await count(database, "SELECT count(*)::int FROM publications") == 2)
            #expect(try await count(database, "SELECT count(*)::int FROM deliveries") == 2)
            #expect(try await count(database, "SELECT count(DISTINCT tracking_code)::int FROM publications") == 2)
        }
    }
}
