import EmbeddedPostgres
import Foundation
import HeraldCore
import HeraldTestSupport
import PostgresNIO
import Testing

@testable import Storage

#if canImport(Glibc)
import Glibc
#endif

/// Real processes against one database: workers and schedulers started, stopped and killed as an operator would.
struct WorkerProcessTests {
    func count(_ fixture: CLIFixture, _ sql: PostgresQuery) async throws -> Int {
        try await Database.withDatabase(fixture.database, logger: TestDatabase.logger) { database in
            for try await value in try await database.client.query(sql, logger: database.logger).decode(Int.self) { return value }
            return -1
        }
    }

    @Test func threeWorkersAndTwoSchedulersRunEveryJobAndFireOnceOverAFastForwardedHour() async throws {
        let fixture = try await CLIFixture.make()
        // 120 clock seconds per wall second: one hour in 30 s, shared by every process.
        let start = "2026-01-01T00:00:00Z"
        let clock = "scaled:\(Date().timeIntervalSince1970 + 3):\(start):120"
        var environment = ["DATABASE_URL": fixture.database.url, "HERALD_CLOCK": clock, "HERALD_LOG_LEVEL": "error"]
        environment["HERALD_HOME"] = fixture.folder.appendingPathComponent("home").path

        let created = try await HeraldCommand.run(
            ["schedules", "create", "minutely", "--rule", "* * * * *", "--job", "probe"],
            environment: environment
        )
        #expect(created.succeeded, "\(created.standardError)")
        let enqueued = try await HeraldCommand.run(["jobs", "enqueue", "probe", "--count", "2000"], environment: environment)
        #expect(enqueued.standardOutput == "enqueued 2000\n", "\(enqueued.standardError)")

        var processes: [RunningProcess] = []
        for _ in 0..<3 {
            processes.append(
                try HeraldCommand.start(
                    ["worker", "--no-scheduler", "--concurrency", "8", "--lease", "600", "--poll-ms", "200"],
                    environment: environment
                )
            )
        }
        for _ in 0..<2 {
            // A fire late by a loaded machine's pause (at 120x, 0.5 s of wall time is a clock minute) must still be
            // on time, not a missed fire that the fire-once policy folds into the next: give it the whole hour.
            processes.append(try HeraldCommand.start(["scheduler", "--tick-ms", "100", "--missed-after", "3600"], environment: environment))
        }
        // The clock starts 3 s from now; run an hour of it, plus a margin for the last fire's job.
        try await Task.sleep(for: .seconds(3 + 30 + 1))
        // Stop the schedulers, let the workers drain what they made, then stop the workers.
        var outputs: [ProcessOutput] = []
        for process in processes[3...] { process.signal(SIGTERM) }
        for process in processes[3...] { outputs.append(await process.wait()) }
        let drained = try await waitUntil {
            // Completed jobs move to `jobs_done`: nothing pending, running, dead or cancelled is left.
            try await count(fixture, "SELECT count(*)::int FROM jobs") == 0
        }
        #expect(drained)
        for process in processes[..<3] { process.signal(SIGTERM) }
        for process in processes[..<3] { outputs.append(await process.wait()) }
        for output in outputs { #expect(output.status == 0, "\(output.standardError)") }

        // Every minute from the first fire to the last fired exactly once: no gap, no repeat.
        let fires = try await count(fixture, "SELECT count(*)::int FROM schedule_fires")
        let span = try await count(fixture, "SELECT (extract(epoch FROM max(fire_at) - min(fire_at)) / 60)::int + 1 FROM schedule_fires")
        #expect(fires >= 60, "fires: \(fires)")
        #expect(fires == span, "\(fires) fires over \(span) minutes")
        #expect(
            try await count(fixture, "SELECT count(*)::int FROM (SELECT fire_at FROM schedule_fires GROUP BY fire_at HAVING count(*) > 1) d") == 0
        )
        // Every job ran exactly once: 2,000 enqueued and one per fire.
        #expect(try await count(fixture, "SELECT count(*)::int FROM jobs") == 0)
        #expect(try await count(fixture, "SELECT count(*)::int FROM jobs_done") == 2_000 + fires)
        #expect(try await count(fixture, "SELECT count(*)::int FROM job_probes") == 2_000 + fires)
        #expect(try await count(fixture, "SELECT count(*)::int FROM (SELECT job_id FROM job_probes GROUP BY job_id HAVING count(*) > 1) d") == 0)
        // The work was shared.
        #expect(try await count(fixture, "SELECT count(DISTINCT worker)::int FROM job_probes") == 3)
    }

    @Test func aKilledWorkersJobRunsAgainAfterItsLeaseAndIsNotPostedTwice() async throws {
        let fixture = try await CLIFixture.make()
        let campaign = try await fixture.createCampaign()
        let publication = try await Database.withDatabase(fixture.database, logger: TestDatabase.logger) { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let found = try await CampaignStore(database, workspace: workspace).find(campaign.slug)
            let publication = try await PublicationStore(database).create(
                workspace: workspace,
                campaign: found.id,
                variant: found.variants[0].id,
                channel: .x,
                scheduledAt: Date(),
                idempotencyKey: "crash-test"
            )
            try await JobQueue(database).enqueue([
                JobRequest(payload: PublishPayload(publication: publication.id), runAt: Date())
            ])
            return publication
        }
        var environment = ["DATABASE_URL": fixture.database.url, "HERALD_LOG_LEVEL": "error"]
        environment["HERALD_HOME"] = fixture.folder.appendingPathComponent("home").path
        var faulty = environment
        faulty["HERALD_FAULT_PUBLISH_PAUSE_MS"] = "60000"  // stuck after delivering, before recording it
        let first = try HeraldCommand.start(["worker", "--lease", "2", "--poll-ms", "100"], environment: faulty)
        let delivered = try await waitUntil {
            try await count(fixture, "SELECT count(*)::int FROM deliveries") == 1
        }
        #expect(delivered)
        first.signal(SIGKILL)
        _ = await first.wait()
        #expect(try await count(fixture, "SELECT count(*)::int FROM publications WHERE status = 'dry_run'") == 0)

        let killedAt = ContinuousClock.now
        let second = try HeraldCommand.start(["worker", "--lease", "2", "--poll-ms", "100"], environment: environment)
        let published = try await waitUntil {
            try await count(fixture, "SELECT count(*)::int FROM publications WHERE status = 'dry_run'") == 1
        }
        let recovery = ContinuousClock.now - killedAt
        second.signal(SIGTERM)
        let output = await second.wait()
        // Liveness, not speed: a loaded machine once took 16 s for a 2 s lease, so no wall-clock bound here.
        #expect(published, "not published again \(recovery) after the kill: \(output.standardError)")
        // One delivery, two attempts at it: retried, never posted twice.
        #expect(try await count(fixture, "SELECT count(*)::int FROM deliveries") == 1)
        #expect(try await count(fixture, "SELECT attempts FROM deliveries") == 2)
        #expect(try await count(fixture, "SELECT count(*)::int FROM jobs") == 0)
        #expect(try await count(fixture, "SELECT attempts FROM jobs_done WHERE kind = 'publish'") == 2)
        _ = publication
    }

    @Test func sigtermReleasesAJobThatDoesNotFinishWithinTheGracePeriod() async throws {
        let fixture = try await CLIFixture.make()
        let campaign = try await fixture.createCampaign()
        try await Database.withDatabase(fixture.database, logger: TestDatabase.logger) { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let found = try await CampaignStore(database, workspace: workspace).find(campaign.slug)
            let publication = try await PublicationStore(database).create(
                workspace: workspace,
                campaign: found.id,
                variant: found.variants[1].id,
                channel: .instagram,
                scheduledAt: Date(),
                idempotencyKey: "shutdown-test"
            )
            try await JobQueue(database).enqueue([
                JobRequest(payload: PublishPayload(publication: publication.id), runAt: Date())
            ])
        }
        var environment = ["DATABASE_URL": fixture.database.url, "HERALD_LOG_LEVEL": "error", "HERALD_FAULT_PUBLISH_PAUSE_MS": "60000"]
        environment["HERALD_HOME"] = fixture.folder.appendingPathComponent("home").path
        let worker = try HeraldCommand.start(["worker", "--grace", "1", "--poll-ms", "100"], environment: environment)
        let started = try await waitUntil {
            try await count(fixture, "SELECT count(*)::int FROM deliveries") == 1
        }
        #expect(started)
        let signalled = ContinuousClock.now
        worker.signal(SIGTERM)
        let output = await worker.wait()
        #expect(output.status == 0, "\(output.standardError)")
        #expect(ContinuousClock.now - signalled < .seconds(8))
        // Given back, not lost, the attempt not spent: the next worker runs it at once.
        #expect(try await count(fixture, "SELECT count(*)::int FROM jobs WHERE state = 'pending' AND attempts = 0 AND locked_by IS NULL") == 1)
    }
}
