import HeraldCore
import Scheduling
import Storage

/// Records each of its runs in `job_probes`: shows operators and tests that a job ran, and how often.
///
/// The record and the job's completion commit in one transaction: a completed probe job has exactly one record, however
/// often its workers were killed.
public struct ProbeHandler: JobHandler {
    /// Fault injection for crash tests: how long each run waits before it records itself (nil: not at all).
    let pause: Duration?

    public init(pause: Duration? = nil) {
        self.pause = pause
    }

    public func run(_ job: ClaimedJob, payload: ProbePayload, context: JobContext) async throws {
        if let pause { try await Task.sleep(for: pause) }
        try await JobQueue(context.database).recordProbe(
            job,
            worker: context.worker,
            now: context.clock.now(),
            completing: context.completion(of: job)
        )
    }
}
