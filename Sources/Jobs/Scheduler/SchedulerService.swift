import Foundation
import Logging
import Scheduling
import ServiceLifecycle
import Storage

/// Turns due schedule fires into jobs, every tick. Any number can run at once: schedules are
/// locked with SKIP LOCKED and each fire is recorded under a unique key before its job exists.
public struct SchedulerService: Service {
    let database: Database
    let clock: any HeraldClock
    let planner: SchedulePlanner
    /// Wall time between passes.
    let tick: Duration
    let logger: Logger

    public init(database: Database, clock: any HeraldClock, planner: SchedulePlanner = .init(), tick: Duration = .seconds(1), logger: Logger) {
        self.database = database
        self.clock = clock
        self.planner = planner
        self.tick = tick
        self.logger = logger
    }

    public func run() async throws {
        logger.info("scheduler started")
        let store = ScheduleStore(database)
        await cancelWhenGracefulShutdownOrCancelled {
            while !Task.isCancelled {
                do {
                    try await runOnce(store)
                } catch {
                    logger.error("scheduler pass failed", metadata: ["herald.error": "\(StorageError.describe(error))"])
                }
                try? await Task.sleep(for: tick)
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
