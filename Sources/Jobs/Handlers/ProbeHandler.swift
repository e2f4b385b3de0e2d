import HeraldCore
import Scheduling
import Storage

/// Records each of its runs in `job_probes`: shows operators and tests that a job ran, and how often.
public struct ProbeHandler: JobHandler {
    public init() {}
    public func run(_ job: ClaimedJob, payload: ProbePayload, context: JobContext) async throws {
        try await JobQueue(context.database).recordProbe(job, worker: context.worker, now: context.clock.now())
    }
}
