import ArgumentParser
import ContentVariants
import Foundation
import HeraldCore
import Jobs
import Logging
import Scheduling
import ServiceLifecycle
import UnixSignals
import Storage

#if canImport(Glibc)
import Glibc
#endif

/// How a process runs jobs: shared by `herald worker` and the worker inside `herald serve`.
struct WorkerOptions: ParsableArguments {
    @Option(help: "Jobs run at once (also the most claimed in one round trip).") var concurrency: Int = WorkerConfiguration.defaultConcurrency
    @Option(help: "Queues to take jobs from, comma-separated.") var queues: String = "default"
    @Option(help: "Lease of a claimed job in seconds (renewed by heartbeat); a crashed worker's jobs run again after it.")
    var lease: Double = 30
    @Option(help: "Poll interval in milliseconds when no NOTIFY arrives.") var pollMs: Int = 1_000
    @Option(help: "Scheduler tick in milliseconds.") var tickMs: Int = 1_000
    @Option(help: "Seconds running jobs get to finish on shutdown before they are released.") var grace: Double = 10
    @Option(help: "Folder report jobs write to.") var reports: String = "reports"
    @Option(help: "Hours finished jobs are kept before they are pruned.") var retentionHours: Double = 168
    @Flag(help: "Do not run the scheduler in this process.") var noScheduler = false

    func validate() throws {
        guard concurrency >= 1 else { throw ArgumentParser.ValidationError("--concurrency must be at least 1") }
        guard lease >= 1 else { throw ArgumentParser.ValidationError("--lease must be at least 1 second") }
        guard pollMs >= 10, tickMs >= 10 else { throw ArgumentParser.ValidationError("--poll-ms and --tick-ms must be at least 10") }
    }

    /// The worker (and, unless `--no-scheduler`, the scheduler) as services.
    func services(database: Database, configuration: HeraldConfiguration, logger: Logger) throws -> [any Service] {
        var worker = WorkerConfiguration(id: "\(ProcessInfo.processInfo.hostName):\(getpid())")
        worker.queues = queues.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        worker.concurrency = concurrency
        worker.lease = lease
        worker.heartbeatInterval = .milliseconds(Int64(max(100, lease * 1000 / 3 / configurationRate(configuration))))
        worker.rescueInterval = .milliseconds(Int64(max(100, lease * 1000 / 4 / configurationRate(configuration))))
        worker.pollInterval = .milliseconds(pollMs)
        worker.shutdownGrace = .milliseconds(Int64(grace * 1000))
        worker.retention = retentionHours * 3_600
        var services: [any Service] = [
            Worker(
                database: database,
                handlers: .standard(
                    reportsDirectory: URL(fileURLWithPath: reports), publishPause: configuration.publishPause,
                    llm: try LLMConfiguration(environment: ProcessInfo.processInfo.environment),
                    webhookSecrets: WebhookSecrets(ProcessInfo.processInfo.environment)
                ),
                clock: configuration.clock,
                configuration: worker,
                logger: logger
            )
        ]
        if !noScheduler {
            services.append(SchedulerService(database: database, clock: configuration.clock, tick: .milliseconds(tickMs), logger: logger))
        }
        return services
    }
}

/// `herald worker`: runs jobs (and, unless told otherwise, the scheduler) until SIGTERM or SIGINT.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run jobs from the queue, and the scheduler, until SIGTERM/SIGINT (then finish or release running jobs)."
    )

    @OptionGroup var options: CommonOptions
    @OptionGroup var worker: WorkerOptions

    func run() async throws {
        let configuration = options.configuration()
        let logger = Logger(label: "herald.worker")
        try await options.session().run { database, _ in
            try await runServices(try worker.services(database: database, configuration: configuration, logger: logger), logger: logger)
        }
    }
}

/// `herald scheduler`: only the scheduler loop.
struct SchedulerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scheduler",
        abstract: "Run only the scheduler: turn due schedule fires into jobs (any number may run at once)."
    )

    @OptionGroup var options: CommonOptions
    @Option(help: "Tick in milliseconds.") var tickMs: Int = 1_000

    func run() async throws {
        let configuration = options.configuration()
        let logger = Logger(label: "herald.scheduler")
        try await options.session().run { database, _ in
            try await runServices(
                [SchedulerService(database: database, clock: configuration.clock, tick: .milliseconds(tickMs), logger: logger)],
                logger: logger
            )
        }
    }
}

/// How many clock seconds pass per wall second (1 for the wall clock).
func configurationRate(_ configuration: HeraldConfiguration) -> Double {
    (configuration.clock as? ScaledClock)?.rate ?? 1
}

/// Runs services until SIGTERM/SIGINT, then shuts them down gracefully.
func runServices(_ services: [any Service], logger: Logger) async throws {
    let group = ServiceGroup(
        configuration: .init(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
    )
    try await group.run()
}
