import Foundation
import Logging
import Scheduling
import ServiceLifecycle
import Storage

/// Turns due schedule fires into jobs, every tick. Any number can run at once: schedules are
/// locked with SKIP LOCKED and each fire is recorded under a unique key before its job exists.
///
/// While the database is unreachable it backs off with jitter, logs the outage once at its start and once at its end
/// (``OutageLog``), and resumes; graceful shutdown cancels a pass in progress (its transaction rolls back).
public struct SchedulerService: Service {
    let database: Database
    let clock: any HeraldClock
    let planner: SchedulePlanner
    /// Wall time between passes.
    let tick: Duration
    /// Wall time between passes while the database is unreachable: exponential with jitter, never below `tick`.
    let outageBackoff: RetryPolicy
    let logger: Logger

    public init(
        database: Database,
        clock: any HeraldClock,
        planner: SchedulePlanner = .init(),
        tick: Duration = .seconds(1),
        outageBackoff: RetryPolicy = RetryPolicy(base: 0.2, cap: 5, jitter: 0.5),
        logger: Logger
    ) {
        self.database = database
        self.clock = clock
        self.planner = planner
        self.tick = tick
        self.outageBackoff = outageBackoff
        self.logger = logger
    }

    public func run() async throws {
        logger.info("scheduler started")
        let store = ScheduleStore(database)
        let outage = OutageLog("scheduler", logger: logger)
        let backoff = outageBackoff
        await cancelWhenGracefulShutdownOrCancelled {
            var failures = 0
            var generator = SystemRandomNumberGenerator()
            while !Task.isCancelled {
                var pause = tick
                let began = ContinuousClock.now
                do {
                    try await runOnce(store)
                    failures = 0
                    outage.succeeded(startedAt: began)
                } catch {
                    if Task.isCancelled { break }
                    if outage.failed(error) != nil {
                        // The database is unreachable: wait longer each time (with jitter), logged once by `outage`.
                        failures += 1
                        pause = max(tick, .milliseconds(Int64(backoff.delay(afterAttempt: failures, using: &generator) * 1_000)))
                    } else {
                        logger.error("scheduler pass failed", metadata: ["herald.error": "\(StorageError.describe(error))"])
                    }
                }
                try? await Task.sleep(for: pause)
            }
        }
        logger.info("scheduler stopped")
    }

    /// One pass: materializes every due schedule (in batches), returns the jobs enqueued.
    @discardableResult
    public func runOnce(_ store: ScheduleStore) async throws -> Int {
        var total = 0
        while true {
            let now = clock.now()
            let batch = 100
            let done = try await store.materializeDue(now: now, limit: batch) { stored in
                do {
                    return try planner.plan(stored, now: now)
                } catch {
                    // A rule that no longer parses stops its schedule rather than blocking the others.
                    logger.error(
                        "schedule rule invalid; disabling its next fire",
                        metadata: ["herald.schedule": "\(stored.name)", "herald.error": "\(error)"]
                    )
                    return ScheduleStore.Plan(fires: [], lastConsidered: nil, next: nil)
                }
            }
            total += done.jobs
            if done.schedules < batch {
                let ended = try await store.endFinishedCampaigns(now: now)
                if ended > 0 { logger.info("campaigns ended: their schedules are over", metadata: ["herald.campaigns.ended": "\(ended)"]) }
                return total
            }
        }
    }
}

/// Runs `body` until graceful shutdown or cancellation.
func cancelWhenGracefulShutdownOrCancelled(_ body: @escaping @Sendable () async -> Void) async {
    _ = try? await cancelWhenGracefulShutdown {
        await body()
    }
}
