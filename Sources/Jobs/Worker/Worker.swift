import Foundation
import HeraldCore
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
    /// How often expired leases of any worker are rescued (wall time): the fallback for a worker alive but stuck.
    public var rescueInterval: Duration
    /// How often jobs of workers that are gone (their session lock released) are rescued (wall time): a killed
    /// worker's jobs run again within about this long.
    public var orphanCheckInterval: Duration
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
    /// On graceful shutdown, how long the worker may take to stop: running jobs may finish until shortly before it
    /// ends, then those that did not are released (given back) and finished ones written, whatever the database's state.
    public var shutdownGrace: Duration
    /// How long the worker waits between tries while the database is unreachable: exponential with jitter.
    public var outageBackoff: RetryPolicy
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
        orphanCheckInterval: Duration = .seconds(1),
        pollInterval: Duration = .seconds(1),
        completionBatch: Int = 1_000,
        flushInterval: Duration = .milliseconds(50),
        gatherInterval: Duration = .milliseconds(5),
        retry: RetryPolicy = RetryPolicy(),
        shutdownGrace: Duration = .seconds(10),
        outageBackoff: RetryPolicy = RetryPolicy(base: 0.2, cap: 5, jitter: 0.5),
        retention: TimeInterval = 7 * 86_400,
        pruneInterval: Duration = .seconds(60)
    ) {
        self.id = id
        self.queues = queues
        self.concurrency = max(1, concurrency)
        self.lease = lease
        self.heartbeatInterval = heartbeatInterval
        self.rescueInterval = rescueInterval
        self.orphanCheckInterval = orphanCheckInterval
        self.pollInterval = pollInterval
        self.completionBatch = completionBatch
        self.flushInterval = flushInterval
        self.gatherInterval = gatherInterval
        self.retry = retry
        self.shutdownGrace = shutdownGrace
        self.outageBackoff = outageBackoff
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
    /// How audience email is sent, lent to handlers through their ``JobContext``; nil: not at all.
    let mail: AudienceMail?
    /// How audience text messages are sent, lent to handlers through their ``JobContext``; nil: not at all.
    let sms: AudienceSMS?

    public init(
        database: Database,
        handlers: JobHandlers,
        clock: any HeraldClock,
        configuration: WorkerConfiguration,
        logger: Logger,
        mail: AudienceMail? = nil,
        sms: AudienceSMS? = nil
    ) {
        self.mail = mail
        self.sms = sms
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

    /// What the loops of one run share.
    final class RunState: Sendable {
        /// Set on graceful shutdown: claim no more.
        let stopping = Atomic<Bool>(false)
        /// The key of the session lock this worker holds, while it holds it.
        let ownerLock = Mutex<Int64?>(nil)
    }

    public func run() async throws {
        let queue = JobQueue(database)
        let ledger = Ledger()
        let wake = WakeSignal()
        let refillThreshold = max(1, configuration.concurrency / 2)
        let state = RunState()
        let stopped = WakeSignal()
        let context = JobContext(database: database, clock: clock, logger: logger, worker: configuration.id, mail: mail, sms: sms)
        let outage = OutageLog("worker", logger: logger)
        // The key of the session lock this worker holds while it lives (`state.ownerLock` while held), written into the
        // jobs it claims; random, so no other lock shares it.
        let lockKey = Int64.random(in: 1...Int64.max)
        // Running jobs may finish until `reserve` before the grace period ends; the rest of it releases and writes.
        let reserve = min(configuration.shutdownGrace / 2, .seconds(2))
        logger.info("worker started", metadata: ["herald.worker.concurrency": "\(configuration.concurrency)"])

        try await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await listen(wake: wake, outage: outage) }
                group.addTask { await holdSessionLock(queue, key: lockKey, state: state, outage: outage) }
                group.addTask { await heartbeats(queue, ledger, outage: outage) }
                group.addTask {
                    await every(configuration.orphanCheckInterval, outage: outage) {
                        let rescued = try await queue.rescueOrphaned(now: clock.now())
                        if rescued > 0 {
                            logger.warning("rescued jobs of a worker that is gone", metadata: ["herald.jobs.rescued": "\(rescued)"])
                            wake.fire()
                        }
                    }
                }
                group.addTask {
                    await every(configuration.rescueInterval, outage: outage) {
                        let rescued = try await queue.rescueExpired(now: clock.now())
                        if rescued > 0 {
                            logger.warning("rescued jobs with expired leases", metadata: ["herald.jobs.rescued": "\(rescued)"])
                            wake.fire()
                        }
                    }
                }
                group.addTask {
                    await every(configuration.pruneInterval, outage: outage) {
                        let pruned = try await queue.prune(finishedBefore: clock.now().addingTimeInterval(-configuration.retention))
                        if pruned > 0 { logger.info("pruned finished jobs", metadata: ["herald.jobs.pruned": "\(pruned)"]) }
                    }
                }
                group.addTask {
                    // A safety net: the claim loop carries completions; this writes those it has not taken within a flush interval.
                    while !Task.isCancelled {
                        try? await Task.sleep(for: configuration.flushInterval)
                        await flush(queue, ledger, olderThan: configuration.flushInterval, outage: outage)
                    }
                }
                // The grace period, from the signal: when it is nearly over, whatever is still going on is cancelled.
                group.addTask {
                    while !state.stopping.load(ordering: .relaxed) && !Task.isCancelled { await stopped.wait(timeout: .seconds(60)) }
                    try? await Task.sleep(for: configuration.shutdownGrace - reserve)
                }
                group.addTask {
                    await claimAndRun(
                        queue,
                        ledger: ledger,
                        context: context,
                        wake: wake,
                        refillThreshold: refillThreshold,
                        state: state,
                        outage: outage
                    )
                }
                // The first to end is the run loop (every job finished after the signal) or the grace timer.
                await group.next()
                group.cancelAll()
            }
            // Not cancelled here (only the group's tasks were): give back what did not finish, write what did.
            await within(max(reserve, .seconds(1))) {
                let unfinished = ledger.running
                if !unfinished.isEmpty {
                    do {
                        try await queue.release(unfinished, worker: configuration.id, now: clock.now())
                        logger.notice("released unfinished jobs", metadata: ["herald.jobs.released": "\(unfinished.count)"])
                    } catch {
                        logger.warning(
                            "could not release unfinished jobs; they run again once this worker's session is gone",
                            metadata: ["herald.jobs.unreleased": "\(unfinished.count)", "herald.error": "\(StorageError.describe(error))"]
                        )
                    }
                }
                await flush(queue, ledger, outage: outage)
            }
        } onGracefulShutdown: {
            state.stopping.store(true, ordering: .relaxed)
            wake.fire()
            stopped.fire()
        }
        logger.info("worker stopped")
    }

    /// Claims jobs and runs them until shutdown, then waits for the running ones to finish (the caller cancels it when
    /// the grace period is over). Completions ride along with claims; an unreachable database is retried with backoff.
    func claimAndRun(
        _ queue: JobQueue,
        ledger: Ledger,
        context: JobContext,
        wake: WakeSignal,
        refillThreshold: Int,
        state: RunState,
        outage: OutageLog
    ) async {
        var failures = 0
        var generator = SystemRandomNumberGenerator()
        // Jobs are claimed under the session lock, so a killed worker's jobs are rescued at once; a lock missing for
        // longer than this (a database refusing it) does not stop the work: those jobs fall back to their lease.
        let lockPatience = Duration.seconds(5)
        var lockMissingSince: ContinuousClock.Instant?
        // Handler tasks live in this group, which forgets each as it ends.
        await withDiscardingTaskGroup { running in
            while !state.stopping.load(ordering: .relaxed) && !Task.isCancelled {
                let ownerLock = state.ownerLock.withLock { $0 }
                if ownerLock == nil {
                    let since = lockMissingSince ?? ContinuousClock.now
                    lockMissingSince = since
                    if ContinuousClock.now - since < lockPatience {
                        try? await Task.sleep(for: .milliseconds(20))
                        continue
                    }
                } else {
                    lockMissingSince = nil
                }
                let free = configuration.concurrency - ledger.runningCount
                var claimed: [ClaimedJob] = []
                if free > 0 {
                    // Finished jobs ride along: one round trip completes them and claims the next batch.
                    let finished = ledger.takeFinished(max: configuration.completionBatch)
                    let began = ContinuousClock.now
                    do {
                        let exchange = try await queue.completeAndClaim(
                            finished,
                            queues: configuration.queues,
                            limit: free,
                            worker: configuration.id,
                            lease: configuration.lease,
                            now: clock.now(),
                            ownerLock: ownerLock
                        )
                        claimed = exchange.claimed
                        reportLost(written: exchange.completed, of: finished.count)
                        failures = 0
                        outage.succeeded(startedAt: began)
                    } catch {
                        ledger.returnFinished(finished)
                        if Task.isCancelled { break }
                        if outage.failed(error) != nil {
                            // Back off with jitter, waking early only to stop.
                            failures += 1
                            let delay = configuration.outageBackoff.delay(afterAttempt: failures, using: &generator)
                            let until = ContinuousClock.now + .milliseconds(Int64(delay * 1_000))
                            while ContinuousClock.now < until && !state.stopping.load(ordering: .relaxed) && !Task.isCancelled {
                                try? await Task.sleep(for: min(.milliseconds(100), until - ContinuousClock.now))
                            }
                            continue
                        }
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
                    !state.stopping.load(ordering: .relaxed)
                {
                    await wake.wait(timeout: configuration.gatherInterval)
                }
            }
            // Graceful shutdown: let running jobs finish; the caller cancels them when the grace period is nearly over.
            while ledger.runningCount > 0 && !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
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
            // A handler whose effect is only in the database completed the job in the effect's transaction.
            if context.takeCompletedWithEffect(job) { ledger.drop(job) } else { ledger.finish(job) }
        } catch is CancellationError {
            // Shutdown: the job is released by the caller.
        } catch let lost as JobNoLongerHeld {
            ledger.drop(job)
            logger.warning("job no longer ours; its effect was rolled back", metadata: ["herald.job.id": "\(job.id)", "herald.error": "\(lost)"])
        } catch _ where Task.isCancelled {
            // Shutdown cut the job short (its error is a consequence): released by the caller, its attempt not spent.
        } catch let postponed as PostponeJob {
            ledger.drop(job)
            logger.info(
                "job postponed",
                metadata: [
                    "herald.job.id": "\(job.id)", "herald.job.kind": "\(job.kind)", "herald.job.until": "\(Timestamp.format(postponed.until))",
                    "herald.reason": "\(postponed.reason)",
                ]
            )
            do {
                try await queue.postpone(job, worker: configuration.id, until: postponed.until, reason: postponed.reason)
            } catch {
                logger.error("recording a postponement failed; the lease will expire and the job run again", metadata: ["herald.job.id": "\(job.id)"])
            }
        } catch {
            ledger.drop(job)
            let permanent = error is PermanentJobError
            var generator = SystemRandomNumberGenerator()
            let retryAt = permanent ? nil : clock.now().addingTimeInterval(configuration.retry.delay(afterAttempt: job.attempt, using: &generator))
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
    func flush(_ queue: JobQueue, _ ledger: Ledger, olderThan age: Duration? = nil, outage: OutageLog) async {
        while !Task.isCancelled {
            let batch = ledger.takeFinished(max: configuration.completionBatch, olderThan: age)
            if batch.isEmpty { return }
            do {
                let written = try await queue.complete(batch, worker: configuration.id, now: clock.now())
                reportLost(written: written, of: batch.count)
            } catch {
                ledger.returnFinished(batch)
                if outage.failed(error) == nil {
                    logger.error("writing completions failed; will try again", metadata: ["herald.error": "\(StorageError.describe(error))"])
                }
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

    /// Renews the leases of the jobs the worker holds, every heartbeat interval, until cancelled.
    func heartbeats(_ queue: JobQueue, _ ledger: Ledger, outage: OutageLog) async {
        await every(configuration.heartbeatInterval, outage: outage) {
            let held = ledger.running
            guard !held.isEmpty else { return }
            try await queue.heartbeat(held, worker: configuration.id, lease: configuration.lease, now: clock.now())
        }
    }

    /// Holds the worker's session lock until cancelled, taking it again (same key) after its connection is lost.
    func holdSessionLock(_ queue: JobQueue, key: Int64, state: RunState, outage: OutageLog) async {
        var failures = 0
        var generator = SystemRandomNumberGenerator()
        while !Task.isCancelled {
            do {
                try await queue.holdSessionLock(key) { state.ownerLock.withLock { $0 = key } }
            } catch {
                if Task.isCancelled { break }
                if outage.failed(error) == nil {
                    logger.warning(
                        "the worker's session lock was lost; taking it again",
                        metadata: ["herald.error": "\(StorageError.describe(error))"]
                    )
                }
            }
            let wasHeld = state.ownerLock.withLock { value -> Bool in
                defer { value = nil }
                return value != nil
            }
            failures = wasHeld ? 1 : failures + 1
            if Task.isCancelled { break }
            try? await Task.sleep(for: .milliseconds(Int64(configuration.outageBackoff.delay(afterAttempt: failures, using: &generator) * 1_000)))
        }
        state.ownerLock.withLock { $0 = nil }
    }

    /// LISTENs for enqueue notifications on a connection of its own, reconnecting after errors.
    func listen(wake: WakeSignal, outage: OutageLog) async {
        var failures = 0
        var generator = SystemRandomNumberGenerator()
        while !Task.isCancelled {
            do {
                try await database.listen(on: JobQueue.channel) {
                    wake.fire()
                }
                failures = 0
            } catch {
                if Task.isCancelled { return }
                if outage.failed(error) == nil {
                    logger.warning("LISTEN failed; polling until it reconnects", metadata: ["herald.error": "\(StorageError.describe(error))"])
                }
                failures += 1
                try? await Task.sleep(for: .milliseconds(Int64(configuration.outageBackoff.delay(afterAttempt: failures, using: &generator) * 1_000)))
            }
        }
    }

    /// Repeats `body` every `interval` until cancelled; an unreachable database is logged once (by `outage`), other
    /// errors each time.
    func every(_ interval: Duration, outage: OutageLog, _ body: () async throws -> Void) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            if Task.isCancelled { return }
            do {
                try await body()
            } catch {
                if Task.isCancelled { return }
                if outage.failed(error) == nil {
                    logger.warning("periodic task failed", metadata: ["herald.error": "\(StorageError.describe(error))"])
                }
            }
        }
    }

    /// Runs `body` for at most `limit`: then it is cancelled (and awaited).
    func within(_ limit: Duration, _ body: @escaping @Sendable () async -> Void) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await body() }
            group.addTask { try? await Task.sleep(for: limit) }
            await group.next()
            group.cancelAll()
        }
    }
}
