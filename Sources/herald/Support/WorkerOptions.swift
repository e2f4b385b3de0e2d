import ArgumentParser
import Foundation
import Jobs
import Logging
import ServiceLifecycle
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
    @OptionGroup var scheduler: SchedulerOptions
    @Option(help: "Seconds running jobs get to finish on shutdown before they are released.") var grace: Double = 10
    @Option(help: "Folder report jobs write to.") var reports: String = "reports"
    @Option(help: "Hours finished jobs are kept before they are pruned.") var retentionHours: Double = 168
    @Flag(help: "Do not run the scheduler in this process.") var noScheduler = false

    func validate() throws {
        guard concurrency >= 1 else { throw ArgumentParser.ValidationError("--concurrency must be at least 1") }
        guard lease >= 1 else { throw ArgumentParser.ValidationError("--lease must be at least 1 second") }
        guard pollMs >= 10 else { throw ArgumentParser.ValidationError("--poll-ms must be at least 10") }
    }

    /// The worker (and, unless `--no-scheduler`, the scheduler) as services.
    ///
    /// - Parameter publicURL: Where the service is reached, for tracking links in posts (default: `HERALD_PUBLIC_URL`,
    ///   else `http://localhost:8080`).
    func services(database: Database, configuration: HeraldConfiguration, logger: Logger, publicURL: String? = nil) throws -> [any Service] {
        var worker = WorkerConfiguration(id: "\(ProcessInfo.processInfo.hostName):\(getpid())")
        worker.queues = queues.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        worker.concurrency = concurrency
        worker.lease = lease
        worker.heartbeatInterval = .milliseconds(Int64(max(100, lease * 1000 / 3 / configuration.clockRate)))
        worker.rescueInterval = .milliseconds(Int64(max(100, lease * 1000 / 4 / configuration.clockRate)))
        worker.pollInterval = .milliseconds(pollMs)
        worker.shutdownGrace = .milliseconds(Int64(grace * 1000))
        worker.retention = retentionHours * 3_600
        var services: [any Service] = [
            Worker(
                database: database,
                handlers: .standard(
                    reportsDirectory: URL(fileURLWithPath: reports),
                    publishPause: configuration.publishPause,
                    probePause: configuration.probePause,
                    llm: try configuration.llm.get(),
                    webhookSecrets: configuration.webhookSecrets,
                    publicURL: publicURL ?? configuration.publicURL,
                    accounts: try? StoredAccountConnections(database: database, secrets: configuration.secrets()),
                    secrets: try? configuration.secrets()
                ),
                clock: configuration.clock,
                configuration: worker,
                logger: logger,
                // Without HERALD_SMTP_URL, `send_messages` jobs fail naming it.
                mail: try AudienceMail.fromEnvironment(logger: logger),
                // Without HERALD_SMS_URL, `send_messages` jobs of SMS campaigns fail naming it.
                sms: try AudienceSMS.fromEnvironment(logger: logger)
            )
        ]
        if !noScheduler {
            services.append(scheduler.service(database: database, configuration: configuration, logger: logger))
        }
        return services
    }
}
