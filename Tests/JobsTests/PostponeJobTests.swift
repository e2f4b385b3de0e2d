import Foundation
import HeraldCore
import HeraldTestSupport
import Jobs
import Scheduling
import Storage
import Testing

/// Runs `noop` jobs by postponing them to a known time (a platform's rate limit reset).
struct RateLimitedHandler: JobHandler {
    let retryAt: Date
    func run(_ job: ClaimedJob, payload: NoopPayload, context: JobContext) async throws {
        throw PostponeJob(until: retryAt, reason: "rate_limited (HTTP 429): slow down")
    }
}

struct PostponeJobTests {
    @Test func theWorkerPostponesToTheTimeTheHandlerNamesWithoutUsingAnAttempt() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let queue = JobQueue(database)
            let now = Date()
            // Whole seconds: the time survives the round trip through PostgreSQL unchanged.
            let reset = Date(timeIntervalSince1970: (now.timeIntervalSince1970 + 3_600).rounded())
            try await queue.enqueue([JobRequest(payload: NoopPayload(), runAt: now)])
            var configuration = WorkerConfiguration(id: "test-worker", concurrency: 1)
            configuration.pollInterval = .milliseconds(100)
            let worker = Worker(
                database: database,
                handlers: JobHandlers([RateLimitedHandler(retryAt: reset)]),
                clock: SystemClock(),
                configuration: configuration,
                logger: TestDatabase.logger
            )
            let running = Task { try await worker.run() }
            #expect(try await waitUntil { try await queue.list(state: .pending).first?.lastError != nil })
            running.cancel()
            _ = try? await running.value
            let job = try #require(try await queue.list(state: .pending).first)
            #expect(job.runAt == reset)
            #expect(job.attempts == 0)
            #expect(job.lastError == "rate_limited (HTTP 429): slow down")
        }
    }
}
