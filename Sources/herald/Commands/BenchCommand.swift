import ArgumentParser
import Foundation
import HeraldCore
import Jobs
import Logging
import Scheduling
import Storage

/// `herald bench jobs`: measured, not assumed. Build with `-c release` before quoting figures.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks; the last line of each is one JSON object with the figures.",
        subcommands: [
            JobsBench.self, ScoreBench.self, IngestBench.self, PublishBench.self, TrackingBench.self, FaultsBench.self, SMTPBench.self,
            AutopilotBench.self, PagesBench.self,
        ]
    )

    struct JobsBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "jobs",
            abstract: "No-op jobs: enqueue-to-done throughput with W workers, then idle-wake lag (due to start) over NOTIFY.",
            discussion: """
                Runs in a database of its own (herald_bench) on the embedded cluster or on DATABASE_URL's server, \
                so bench/jobs_peers.py can measure pgqueuer and procrastinate on the same server.
                """
        )

        @Option(help: "Jobs to drain.") var jobs: Int = 20_000
        @Option(help: "Worker loops (each claims in batches of up to --concurrency).") var workers: Int = 4
        @Option(help: "Jobs each worker runs at once (its claim batch size); default: what `herald worker` uses.")
        var concurrency: Int = WorkerConfiguration.defaultConcurrency
        @Option(help: "Jobs enqueued one by one for the lag measurement.") var lagJobs: Int = 200

        func validate() throws {
            guard jobs >= 1, workers >= 1, concurrency >= 1, lagJobs >= 1 else {
                throw ArgumentParser.ValidationError("--jobs, --workers, --concurrency and --lag-jobs must be at least 1")
            }
        }

        func run() async throws {
            let logger = Logger(label: "herald.bench")
            let session = DatabaseSession(configuration: HeraldConfiguration(), logger: logger)
            var target = try await session.resolve().with(database: "herald_bench")
            target.maximumConnections = workers * 3 + 4
            try await Database.createDatabaseIfMissing(target, logger: logger)
            let (jobs, workers, concurrency, lagJobs) = (self.jobs, self.workers, self.concurrency, self.lagJobs)
            let result = try await Database.withDatabase(target, logger: logger) { database in
                try await Migrator(migrations: try Migration.bundled()).migrate(database)
                try await BenchFixtures(database).emptyJobTables()
                return try await Self.measure(database, jobs: jobs, workers: workers, concurrency: concurrency, lagJobs: lagJobs, logger: logger)
            }
            print("system   jobs  workers  jobs/s     lag p50 ms  lag p99 ms")
            print(
                "herald   \(jobs)  \(workers)  " + String(format: "%9.0f  %10.2f  %10.2f", result.jobsPerSecond, result.lagP50, result.lagP99)
            )
            let json: [String: any Encodable & Sendable] = [
                "bench": "jobs", "jobs": jobs, "workers": workers, "concurrency": concurrency,
                "jobs_per_s": (result.jobsPerSecond * 10).rounded() / 10, "lag_p50_ms": (result.lagP50 * 100).rounded() / 100,
                "lag_p99_ms": (result.lagP99 * 100).rounded() / 100, "lag_jobs": lagJobs, "seconds": (result.seconds * 1000).rounded() / 1000,
            ]
            print(try Terminal.json(json.mapValues { AnyEncodable($0) }, pretty: false))
        }

        struct Result {
            var jobsPerSecond: Double
            var seconds: Double
            var lagP50: Double
            var lagP99: Double
        }

        static func measure(_ database: Database, jobs: Int, workers: Int, concurrency: Int, lagJobs: Int, logger: Logger) async throws -> Result {
            let queue = JobQueue(database)
            let clock = SystemClock()
            var silent = logger
            silent.logLevel = .error
            // Open the pool's connections before the clock starts, as bench/jobs_peers.py does for the peers'
            // worker processes: two per worker (LISTEN and claims) and two for the enqueue and the probe.
            let fixtures = BenchFixtures(database)
            try await fixtures.warmUp(connections: workers * 2 + 2)
            return try await withThrowingTaskGroup(of: Void.self) { group in
                // Phase 1: throughput. Enqueue in batches, workers drain concurrently from the start.
                let started = ContinuousClock.now
                for index in 0..<workers {
                    var configuration = WorkerConfiguration(id: "bench-\(index)", concurrency: concurrency)
                    configuration.pollInterval = .milliseconds(500)
                    let worker = Worker(
                        database: database,
                        handlers: JobHandlers([NoopHandler()]),
                        clock: clock,
                        configuration: configuration,
                        logger: silent
                    )
                    group.addTask { try await worker.run() }
                }
                var remaining = jobs
                while remaining > 0 {
                    let batch = min(remaining, 5_000)
                    try await queue.enqueue(Array(repeating: JobRequest(payload: NoopPayload(), runAt: clock.now()), count: batch))
                    remaining -= batch
                }
                while try await fixtures.hasUnfinishedJobs() {
                    try await Task.sleep(for: .milliseconds(5))
                }
                let elapsed = ContinuousClock.now - started
                let seconds = elapsed.seconds

                // Phase 2: lag with idle workers, woken by NOTIFY.
                try await Task.sleep(for: .milliseconds(300))
                try await fixtures.emptyJobTables()
                for _ in 0..<lagJobs {
                    try await queue.enqueue([JobRequest(payload: NoopPayload(), queue: "default", runAt: clock.now())])
                    try await Task.sleep(for: .milliseconds(10))
                }
                while try await fixtures.hasUnfinishedJobs() {
                    try await Task.sleep(for: .milliseconds(5))
                }
                let lags = try await fixtures.completedJobLags()
                group.cancelAll()
                return Result(
                    jobsPerSecond: Double(jobs) / seconds,
                    seconds: seconds,
                    lagP50: percentile(lags, 0.50),
                    lagP99: percentile(lags, 0.99)
                )
            }
        }

        /// The nearest-rank percentile of sorted values.
        static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
            return sorted[min(max(rank, 0), sorted.count - 1)]
        }
    }
}
