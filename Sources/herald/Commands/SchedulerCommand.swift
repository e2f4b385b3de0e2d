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
    @Option(help: "Tick in milliseconds.") var tickMs: Int = 1_000
    @Option(
        help: "Seconds (of Herald's clock) after its time that a fire still counts as on time; older fires follow the schedule's missed-fire policy."
    )
    var missedAfter: Double = SchedulePlanner().grace

    func validate() throws {
        guard tickMs >= 10 else { throw ArgumentParser.ValidationError("--tick-ms must be at least 10") }
        guard missedAfter >= 0 else { throw ArgumentParser.ValidationError("--missed-after must be 0 or more seconds") }
    }

    func run() async throws {
        let configuration = options.configuration()
        let logger = Logger(label: "herald.scheduler")
        try await options.session().run { database, _ in
            try await ServiceGroup.runUntilSignalled(
                [
                    SchedulerService(
                        database: database,
                        clock: configuration.clock,
                        planner: SchedulePlanner(grace: missedAfter),
                        tick: .milliseconds(tickMs),
                        logger: logger
                    )
                ],
                logger: logger
            )
        }
    }
}
