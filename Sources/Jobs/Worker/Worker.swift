import Foundation
import Logging
import Scheduling
import ServiceLifecycle
import Storage
import Synchronization

/// How a worker runs.
public struct WorkerConfiguration: Sendable {
    /// Jobs a worker runs at once (and claims in one round trip) unless told otherwise.
    ///
    /// Claiming and completing in batches is what makes the queue fast (see bench/README.md);
    /// handlers are async and mostly wait on I/O, so a hundred at once is cheap.
    public static let defaultConcurrency = 100

    /// Unique among live workers: written into `locked_by`.
    public var id: String
    /// The queues it takes jobs from.
    public var queues: [String]
    /// Most jobs it runs at once; also the most it claims in one round trip.
    public var concurrency: Int
    /// How long a claimed job is the worker's without a heartbeat (clock seconds).
    public var lease: TimeInterval
    /// How often leases are renewed (wall time); well under the lease.
    public var heartbeatInterval: Duration
    /// How often expired leases of any worker are rescued (wall time).
    public var rescueInterval: Duration
    /// How long an idle worker waits for a NOTIFY before polling anyway (wall time).
    public var pollInterval: Duration
    /// Most completions written in one statement.
    public var completionBatch: Int
    /// Completions normally ride along with the next claim; one that has waited this long is written on its own (wall time).
    public var flushInterval: Duration
    /// While jobs run and fewer than half the slots are free, how long the worker waits for more to finish
    /// before claiming, so it claims in batches rather than one job at a time (wall time).
    public var gatherInterval: Duration
    /// Backoff for failed jobs.
    public var retry: RetryPolicy
    /// On graceful shutdown, how long running jobs may finish before they are released.
    public var shutdownGrace: Duration
    /// Finished jobs (completed, cancelled, dead) are deleted after this long (clock seconds).
    public var retention: TimeInterval
    /// How often finished jobs past retention are pruned (wall time).
    public var pruneInterval: Duration

    public init(
        id: String,
        queues: [String] = ["default"],
        concurrency: Int = WorkerConfiguration.defaultConcurrency,
        lease: TimeInterval = 30,
        heartbeatInterval: Duration = .seconds(5),
        rescueInterval: Duration = .seconds(2),
        pollInterval: Duration = .seconds(1),
        completionBatch: Int = 1_000,
        flushInterval: Duration = .milliseconds(50),
        gatherInterval: Duration = .milliseconds(5),
        retry: RetryPolicy = RetryPolicy(),
        shutdownGrace: Duration = .seconds(10),
        retention: TimeInterval = 7 * 86_400,
        pruneInterval: Duration = .seconds(60)
    ) {
        self.id = id
        self.queues = queues
        self.concurrency = max(1, concurrency)
        self.lease = lease
        self.heartbeatInterval = heartbeatInterval
        self.rescueInterval = rescueInterval
        self.pollInterval = pollInterval
        self.completionBatch = completionBatch
        self.flushInterval = flushInterval
        self.gatherInterval = gatherInterval
        self.retry = retry
        self.shutdownGrace = shutdownGrace
        self.retention = retention
        self.pruneInterval = pruneInterval
    }
}

/// Claims jobs in batches, runs them with bounded concurrency, renews their leases, and writes
/// completions in batches; rescues other workers' expired leases; wakes on NOTIFY, polls as fallback.
///
/// On graceful shutdown it stops claiming, lets running jobs finish within the grace period,
/// and gives back (releases) those that do not.
public struct Worker: Service {
    let database: Database
    let handlers: JobHandlers
    let clock: any HeraldClock
    let configuration: WorkerConfiguration
    let logger: Logger

    public init(database: Database, handlers: JobHandlers, clock: any HeraldClock, configuration: WorkerConfiguration, logger: Logger) {
        self.database = database
        self.handlers = handlers
        self.clock = clock
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "herald.worker"] = "\(configuration.id)"
        self.logger = logger
    }

    /// Jobs held by this worker and finished jobs waiting to be written.
    final class Ledger: Sendable {
        struct State {
            var running: [Int64: ClaimedJob] = [:]
            /// In finish order, with when each finished.
            var finished: [(job: ClaimedJob, at: ContinuousClock.Instant)] = []
        }
        let state = Mutex(State())

        func add(_ jobs: [ClaimedJob]) { state.withLock { for job in jobs { $0.running[job.id] = job } } }
        func finish(_ job: ClaimedJob) {
            let now = ContinuousClock.now
            state.withLock {
                $0.running[job.id] = nil
                $0.finished.append((job, now))
            }
        }
        func drop(_ job: ClaimedJob) { state.withLock { $0.running[job.id] = nil } }
        /// Takes up to `max` finished jobs, oldest first; with `olderThan`, only if the oldest has waited that long.
        func takeFinished(max: Int, olderThan age: Duration? = nil) -> [ClaimedJob] {
            let now = ContinuousClock.now
            return state.withLock { state in
                guard let oldest = state.finished.first else { return [] }
                if let age, now - oldest.at < age { return [] }
                let batch = state.finished.prefix(max).map(\.job)
                state.finished.removeFirst(batch.count)
                return batch
            }
        }
        /// Puts finished jobs back after writing them failed, so a later round trip tries again.
        func returnFinished(_ jobs: [ClaimedJob]) {
            guard !jobs.isEmpty else { return }
            let now = ContinuousClock.now
            state.withLock { $0.finished.insert(contentsOf: jobs.map { ($0, now) }, at: 0) }
        }
        var running: [ClaimedJob] { state.withLock { Array($0.running.values) } }
        var runningCount: Int { state.withLock { $0.running.count } }
    }

    public func run() async throws {
        let queue = JobQueue(database)
        let ledger = Ledger()
        let wake = WakeSignal()
        let refillThreshold = max(1, configuration.concurrency / 2)
        let stopping = Atomic<Bool>(false)
        let context = JobContext(database: database, clock: clock, logger: logger, worker: configuration.id)
        logger.info("worker started", metadata: ["herald.worker.concurrency": "\(configuration.concurrency)"])

        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { background in
                background.addTask { await listen(wake: wake) }
                background.addTask { await every(configuration.heartbeatInterval) { try await heartbeat(queue, ledger) } }
                background.addTask {
                    await every(configuration.rescueInterval) {
                        let rescued = try await queue.rescueExpired(now: clock.now())
                        if rescued > 0 {
                            logger.warning("rescued jobs with expired leases", metadata: ["herald.jobs.rescued": "\(rescued)"])
                            wake.fire()
                        }
                    }
                }
                background.addTask {
                    await every(configuration.pruneInterval) {
                        let pruned = try await queue.prune(finishedBefore: clock.now().addingTimeInterval(-configuration.retention))
                        if pruned > 0 { logger.info("pruned finished jobs", metadata: ["herald.jobs.pruned": "\(pruned)"]) }
                    }
                }
                background.addTask {
                    // A safety net: the claim loop carries completions; this writes those it has not taken within a flush interval.
                    while !Task.isCancelled {
                        try? await Task.sleep(for: configuration.flushInterval)
                        await flush(queue, ledger, olderThan: configuration.flushInterval)
                    }
                }

                // Runs jobs until shutdown; handler tasks live in this group, which forgets each as it ends.
                await withDiscardingTaskGroup { running in
                    while !stopping.load(ordering: .relaxed) && !Task.isCancelled {
                        let free = configuration.concurrency - ledger.runningCount
                        var claimed: [ClaimedJob] = []
                        if free > 0 {
                            // Finished jobs ride along: one round trip completes them and claims the next batch.
                            let finished = ledger.takeFinished(max: configuration.completionBatch)
                            do {
                                let exchange = try await queue.completeAndClaim(
                                    finished,
                                    queues: configuration.queues,
                                    limit: free,
                                    worker: configuration.id,
                                    lease: configuration.lease,
                                    now: clock.now()
                                )
                                claimed = exchange.claimed
                                reportLost(written: exchange.completed, of: finished.count)
                            } catch {
                                ledger.returnFinished(finished)
                                logger.error("claim failed", metadata: ["herald.error": "\(StorageError.describe(error))"])
                            }
                        }
                        ledger.add(claimed)
                        for job in claimed {
                            running.addTask {
                                await execute(job, context: context, queue: queue, ledger: ledger)
                                // Wake the loop when the first slot frees up and again once half of them are free.
                                let free = configuration.concurrency - ledger.runningCount
                                if free == 1 || free >= refillThreshold { wake.fire() }
                            }
                        }
                        // Either every slot is busy or the queue is drained: wait for a finished job, a NOTIFY or the poll.
                        await wake.wait(timeout: configuration.pollInterval)
                        // Refill in batches: while jobs still run and few slots are free, give them a moment to finish
                        // so the next round trip claims (and completes) many jobs instead of one.
                        if ledger.runningCount > 0, configuration.concurrency - ledger.runningCount < refillThreshold,
                            !stopping.load(ordering: .relaxed)
                        {
                            await wake.wait(timeout: configuration.gatherInterval)
                        }
                    }
                    // Graceful shutdown: let running jobs finish within the grace period, then give them back.
                    let deadline = ContinuousClock.now + configuration.shutdownGrace
                    while ledger.runningCount > 0 && ContinuousClock.now < deadline {
                        try? await Task.sleep(for: .milliseconds(20))
                    }
                    let unfinished = ledger.running
                    running.cancelAll()
                    if !unfinished.isEmpty {
                        try? await queue.release(unfinished, worker: configuration.id, now: clock.now())
                        logger.notice("released unfinished jobs", metadata: ["herald.jobs.released": "\(unfinished.count)"])
                    }
                }
                await flush(queue, ledger)
                background.cancelAll()
            }
        } onGracefulShutdown: {
            stopping.store(true, ordering: .relaxed)
            wake.fire()
        }
        logger.info("worker stopped")
    }

    /// Runs one job and records its outcome: completion is batched, failure written at once.
    func execute(_ job: ClaimedJob, context: JobContext, queue: JobQueue, ledger: Ledger) async {
        guard let handler = handlers[job.kind] else {
            ledger.drop(job)
            try? await queue.fail(
                job,
                worker: configuration.id,
                error: "no handler for job kind \"\(job.kind)\" (known: \(handlers.kinds.joined(separator: ", ")))",
                retryAt: nil,
                now: clock.now()
            )
            return
        }
        do {
            try await handler.run(job, context: context)
            ledger.finish(job)
        } catch is CancellationError {
            // Shutdown: the job is released by the caller.
        } catch {
            ledger.drop(job)
            let permanent = error is PermanentJobError
            var generator = SystemRandomNumberGenerator()
            let retryAt =
                permanent
                ? nil
                : (error as? RetryJobLater)?.retryAt
                    ?? clock.now().addingTimeInterval(configuration.retry.delay(afterAttempt: job.attempt, using: &generator))
            let message = StorageError.describe(error)
            logger.warning(
                "job failed",
                metadata: [
                    "herald.job.id": "\(job.id)", "herald.job.kind": "\(job.kind)", "herald.job.attempt": "\(job.attempt)",
                    "herald.error": "\(message)",
                ]
            )
            do {
                try await queue.fail(job, worker: configuration.id, error: message, retryAt: retryAt, now: clock.now())
            } catch {
                logger.error("recording a failure failed; the lease will expire and the job run again", metadata: ["herald.job.id": "\(job.id)"])
            }
        }
    }

    /// Writes finished jobs' completions in batches; with `olderThan`, only once the oldest has waited that long.
    func flush(_ queue: JobQueue, _ ledger: Ledger, olderThan age: Duration? = nil) async {
        while true {
            let batch = ledger.takeFinished(max: configuration.completionBatch, olderThan: age)
            if batch.isEmpty { return }
            do {
                let written = try await queue.complete(batch, worker: configuration.id, now: clock.now())
                reportLost(written: written, of: batch.count)
            } catch {
                ledger.returnFinished(batch)
                logger.error("writing completions failed; will try again", metadata: ["herald.error": "\(StorageError.describe(error))"])
                return
            }
        }
    }

    /// Logs completions that were no longer the worker's: their lease was rescued (or they were cancelled) meanwhile.
    func reportLost(written: Int, of count: Int) {
        if written < count {
            logger.warning("some completions were no longer ours (lease lost or cancelled)", metadata: ["herald.jobs.lost": "\(count - written)"])
        }
    }

    func heartbeat(_ queue: JobQueue, _ ledger: Ledger) async throws {
        let held = ledger.running
        guard !held.isEmpty else { return }
        try await queue.heartbeat(held, worker: configuration.id, lease: configuration.lease, now: clock.now())
    }

    /// LISTENs for enqueue notifications on a connection of its own, reconnecting after errors.
    func listen(wake: WakeSignal) async {
        while !Task.isCancelled {
            do {
                try await database.listen(on: JobQueue.channel) { wake.fire() }
            } catch {
                if Task.isCancelled { return }
                logger.warning("LISTEN failed; polling until it reconnects", metadata: ["herald.error": "\(StorageError.describe(error))"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Repeats `body` every `interval` until cancelled, logging its errors.
    func every(_ interval: Duration, _ body: () async throws -> Void) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            if Task.isCancelled { return }
            do { try await body() } catch {
                logger.warning("periodic task failed", metadata: ["herald.error": "\(StorageError.describe(error))"])
            }
        }
    }
}
