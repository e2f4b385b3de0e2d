import ArgumentParser
import Jobs
import Logging
import Storage

/// How a process runs the scheduler: shared by `herald scheduler` and the scheduler inside `herald worker` and `herald serve`.
struct SchedulerOptions: ParsableArguments {
    @Option(help: "Scheduler tick in milliseconds.") var tickMs: Int = 1_000
    @Option(
        help: "Seconds (of Herald's clock) after its time that a fire still counts as on time; older fires follow the schedule's missed-fire policy."
    )
    var missedAfter: Double = SchedulePlanner().grace

    func validate() throws {
        guard tickMs >= 10 else { throw ArgumentParser.ValidationError("--tick-ms must be at least 10") }
        guard missedAfter >= 0 else { throw ArgumentParser.ValidationError("--missed-after must be 0 or more seconds") }
    }

    /// The scheduler loop as a service.
    func service(database: Database, configuration: HeraldConfiguration, logger: Logger) -> SchedulerService {
        SchedulerService(
            database: database,
            clock: configuration.clock,
            planner: SchedulePlanner(grace: missedAfter),
            tick: .milliseconds(tickMs),
            logger: logger
        )
    }
}
