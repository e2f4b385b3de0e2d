import Foundation
import Logging
import PostgresNIO
import Scheduling
import ServiceLifecycle
import Storage
import Synchronization

/// How a worker runs.
public struct WorkerConfiguration: Sendable {
    /// Unique among live workers: written into `locked_by`.
    public var id: String
    /// The queues it takes jobs from.
    public var queues: [String]
    /// Most jobs it runs at once.
    public var concurrency: Int
    /// How long a claimed job is the worker's without a heartbeat (clock seconds).
    public var lease: TimeInterval
    /// How often leases are renewed (wall time); well under the lease.
    public var heartbeatInterval: Duration
    /// How often expired leases of any worker are rescued (wall time).
    public var rescueInterval: Duration
    /// How long an idle worker waits for a NOTIFY before polling anyway (wall time).
    public var pollInterval: Duration
    /// Completions are written in batches of at most this many, at least every `flushInterval`.
    public var completionBatch: Int
    public var flushInterval: Duration
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
        concurrency: Int = 10,
        lease: TimeInterval = 30,
        heartbeatInterval: Duration = .seconds(5),
        rescueInterval: Duration = .seconds(2),
        pollInterval: Duration = .seconds(1),
        completionBatch: Int = 200,
        flushInterval: Duration = .milliseconds(10),
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
            var finished: [ClaimedJob] = []
        }
        let state = Mutex(State())

        func add(_ jobs: [ClaimedJob]) { state.withLock { for job in jobs { $0.running[job.id] = job } } }
        func finish(_ job: ClaimedJob) -> Int {
            state.withLock {
                $0.running[job.id] = nil
                $0.finished.append(job)
                return $0.finished.count
            }
        }
        func drop(_ job: ClaimedJob) { state.withLock { $0.running[job.id] = nil } }
        func takeFinished(max: Int) -> [ClaimedJob] {
            state.withLock {
                let batch = Array($0.finished.prefix(max))
                $0.finished.removeFirst(batch.count)
                return batch
            }
        }
        var running: [ClaimedJob] { state.withLock { Array($0.running.values) } }
        var runningCount: Int { state.withLock { $0.running.count } }
    }

    public func run() async throws {
        let queue = JobQueue(database)
        let ledger = Ledger()
        let wake = WakeSignal()
        let flushNow = WakeSignal()
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
                    while !Task.isCancelled {
                        await flushNow.wait(timeout: configuration.flushInterval)
                        await flush(queue, ledger)
                    }
                }

                // Runs jobs until shutdown; handler tasks live in this group.
                await withTaskGroup(of: Void.self) { running in
                    while !stopping.load(ordering: .relaxed) && !Task.isCancelled {
                        let free = configuration.concurrency - ledger.runningCount
                        var claimed: [ClaimedJob] = []
                        if free > 0 {
                            do {
                                claimed = try await queue.claim(
                                    queues: configuration.queues, limit: free, worker: configuration.id,
                                    lease: configuration.lease, now: clock.now()
                                )
                            } catch {
                                logger.error("claim failed", metadata: ["herald.error": "\(StorageError.describe(error))"])
                            }
                        }
                        ledger.add(claimed)
                        for job in claimed {
                            running.addTask {
                                await execute(job, context: context, queue: queue, ledger: ledger)
                                if ledger.finishedCountReached(configuration.completionBatch) { flushNow.fire() }
                                wake.fire()
                            }
                        }
                        // Either every slot is busy or the queue is drained: wait for a finished job, a NOTIFY or the poll.
                        await wake.wait(timeout: configuration.pollInterval)
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
            try? await queue.fail(job, worker: configuration.id, error: "no handler for job kind \"\(job.kind)\" (known: \(handlers.kinds.joined(separator: ", ")))", retryAt: nil, now: clock.now())
            return
        }
        do {
            try await handler.run(job, context: context)
            _ = ledger.finish(job)
        } catch is CancellationError {
            // Shutdown: the job is released by the caller.
        } catch {
            ledger.drop(job)
            let permanent = error is PermanentJobError
            var generator = SystemRandomNumberGenerator()
            let retryAt = permanent ? nil : clock.now().addingTimeInterval(configuration.retry.delay(afterAttempt: job.attempt, using: &generator))
            let message = StorageError.describe(error)
            logger.warning(
                "job failed",
                metadata: ["herald.job.id": "\(job.id)", "herald.job.kind": "\(job.kind)", "herald.job.attempt": "\(job.attempt)", "herald.error": "\(message)"]
            )
            do {
                try await queue.fail(job, worker: configuration.id, error: message, retryAt: retryAt, now: clock.now())
            } catch {
                logger.error("recording a failure failed; the lease will expire and the job run again", metadata: ["herald.job.id": "\(job.id)"])
            }
        }
    }

    func flush(_ queue: JobQueue, _ ledger: Ledger) async {
        while true {
            let batch = ledger.takeFinished(max: configuration.completionBatch)
            if batch.isEmpty { return }
            do {
                let written = try await queue.complete(batch, worker: configuration.id, now: clock.now())
                if written < batch.count {
                    logger.warning("some completions were no longer ours (lease lost)", metadata: ["herald.jobs.lost": "\(batch.count - written)"])
                }
            } catch {
                logger.error("writing completions failed; their leases will expire and they run again", metadata: ["herald.error": "\(StorageError.describe(error))"])
                return
            }
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
                try await database.client.withConnection { connection in
                    try await connection.listen(on: JobQueue.channel) { notifications in
                        for try await _ in notifications { wake.fire() }
                    }
                }
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

extension Worker.Ledger {
    func finishedCountReached(_ count: Int) -> Bool { state.withLock { $0.finished.count >= count } }
}
