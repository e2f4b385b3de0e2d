import EmbeddedPostgres
import Foundation
import HeraldTestSupport
import PostgresNIO
import Testing

@testable import Storage

#if canImport(Glibc)
import Glibc
#endif

/// Real `herald worker` processes killed with SIGKILL while they hold jobs: their jobs run again within seconds (not
/// after the lease), and each job's effect in the database is made once.
struct WorkerRescueProcessTests {
    func count(_ fixture: CLIFixture, _ sql: PostgresQuery) async throws -> Int {
        try await Database.withDatabase(fixture.database, logger: TestDatabase.logger) { database in
            for try await value in try await database.client.query(sql, logger: database.logger).decode(Int.self) { return value }
            return -1
        }
    }

    @Test func killedWorkersJobsRunAgainWithinSecondsAndEachJobsEffectIsRecordedOnce() async throws {
        let fixture = try await CLIFixture.make()
        var environment = ["DATABASE_URL": fixture.database.url, "HERALD_LOG_LEVEL": "error"]
        environment["HERALD_HOME"] = fixture.folder.appendingPathComponent("home").path
        // Each probe job waits a moment before it records its run, so a worker is caught holding jobs when it is killed.
        environment["HERALD_FAULT_PROBE_PAUSE_MS"] = "300"
        // Enough that the slow survivor cannot drain them all while the victims come and go on a loaded machine.
        let jobs = 4_000
        let enqueued = try await HeraldCommand.run(["jobs", "enqueue", "probe", "--count", "\(jobs)"], environment: environment)
        #expect(enqueued.standardOutput == "enqueued \(jobs)\n", "\(enqueued.standardError)")

        // Every lease is far longer than the test may run: only the session-lock rescue can bring a killed worker's jobs back.
        func worker(concurrency: Int) throws -> RunningProcess {
            try HeraldCommand.start(
                ["worker", "--no-scheduler", "--concurrency", "\(concurrency)", "--lease", "3600", "--poll-ms", "100"],
                environment: environment
            )
        }
        // A slow worker that stays alive: its rescue checks free the killed workers' jobs.
        let survivor = try worker(concurrency: 2)
        var recoveries: [Duration] = []
        var held: [Int] = []
        for _ in 0..<4 {
            let victim = try worker(concurrency: 20)
            let id = "\(ProcessInfo.processInfo.hostName):\(victim.pid)"
            let holding = try await waitUntil {
                try await count(fixture, "SELECT count(*)::int FROM jobs WHERE state = 'running' AND locked_by = \(id)") >= 10
            }
            #expect(holding, "worker \(id) never held jobs")
            held.append(try await count(fixture, "SELECT count(*)::int FROM jobs WHERE state = 'running' AND locked_by = \(id)"))
            victim.signal(SIGKILL)
            _ = await victim.wait()
            let killedAt = ContinuousClock.now
            let freed = try await waitUntil {
                try await count(fixture, "SELECT count(*)::int FROM jobs WHERE state = 'running' AND locked_by = \(id)") == 0
            }
            #expect(freed, "the jobs of killed worker \(id) were not freed")
            recoveries.append(ContinuousClock.now - killedAt)
        }
        // A fast worker drains the rest.
        let drainer = try worker(concurrency: 50)
        let drained = try await waitUntil(timeout: .seconds(300)) {
            try await count(fixture, "SELECT count(*)::int FROM jobs") == 0
        }
        #expect(drained)
        for process in [survivor, drainer] { process.signal(SIGTERM) }
        for process in [survivor, drainer] {
            let output = await process.wait()
            #expect(output.status == 0, "\(output.standardError)")
        }
        print("killed workers held \(held) jobs; freed after \(recoveries) (lease: 3600 s)")

        // Every job completed, each with exactly one recorded run: a killed worker's committed runs were not redone,
        // its uncommitted ones left nothing behind.
        #expect(try await count(fixture, "SELECT count(*)::int FROM jobs_done") == jobs)
        #expect(try await count(fixture, "SELECT count(*)::int FROM job_probes") == jobs)
        #expect(try await count(fixture, "SELECT count(*)::int FROM (SELECT job_id FROM job_probes GROUP BY job_id HAVING count(*) > 1) d") == 0)
        // The killed workers' jobs ran again, freed because their worker was gone (not because a lease ran out).
        #expect(try await count(fixture, "SELECT count(*)::int FROM jobs_done WHERE attempts > 1") > 0)
        #expect(try await count(fixture, "SELECT count(*)::int FROM jobs_done WHERE last_error LIKE '%is gone%'") > 0)
        #expect(try await count(fixture, "SELECT count(*)::int FROM jobs_done WHERE last_error LIKE 'lease expired%'") == 0)
    }
}
