import ArgumentParser
import Logging
import ServiceLifecycle

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
        // The worker stops within its grace period whatever the database's state; this backstop makes it certain.
        let deadline = ShutdownDeadline(after: .milliseconds(Int64(worker.grace * 1_000)) + .seconds(1), logger: logger)
        defer { deadline.disarm() }
        try await options.session().run { database, _ in
            try await ServiceGroup.runUntilSignalled(
                try worker.services(database: database, configuration: configuration, logger: logger),
                logger: logger
            )
        }
    }
}
