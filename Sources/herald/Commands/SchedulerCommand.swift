import ArgumentParser
import Jobs
import Logging
import ServiceLifecycle

/// `herald scheduler`: only the scheduler loop.
struct SchedulerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scheduler",
        abstract: "Run only the scheduler: turn due schedule fires into jobs (any number may run at once)."
    )

    @OptionGroup var options: CommonOptions
    @OptionGroup var scheduler: SchedulerOptions

    func run() async throws {
        let configuration = options.configuration()
        let logger = Logger(label: "herald.scheduler")
        // A pass in progress is cancelled on SIGTERM; this backstop ends the process even if the database never answers.
        let deadline = ShutdownDeadline(after: .seconds(10), logger: logger)
        defer { deadline.disarm() }
        try await options.session().run { database, _ in
            try await ServiceGroup.runUntilSignalled(
                [scheduler.service(database: database, configuration: configuration, logger: logger)],
                logger: logger
            )
        }
    }
}
