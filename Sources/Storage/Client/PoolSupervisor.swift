import Foundation
import Logging
import PostgresNIO
import Synchronization

/// Keeps one connection pool to the database current: notices when the database cannot be reached, fails waiting work
/// fast while it cannot, and when it can again swaps in a fresh pool (at its new address if it moved).
///
/// - An operation that waits for a connection longer than a moment has the database checked with one connection of its
///   own (a probe, shared by every waiting operation). When no connection can be made (refused, timed out after
///   ``DatabaseConfiguration/connectDeadline``, server starting or shutting down, too many connections), the database
///   is down: the waiting operations fail with ``DatabaseUnavailable`` and new ones fail at once, without waiting.
/// - Meanwhile a recovery loop re-reads the database's address (the `address` closure: an embedded cluster that was
///   restarted may listen on another port), probes it with backoff and jitter, and when it answers, makes a fresh pool
///   there (the old one may be backing off for up to a minute, or point at the old port) and retires the old one once
///   its operations ended. The outage is logged once when it begins and once when it ends (``OutageLog``).
final class PoolSupervisor: Sendable {
    /// One pool and the operations running on it.
    final class Pool: Sendable {
        let client: PostgresClient
        let configuration: DatabaseConfiguration
        /// Operations using the pool now (the pool is closed only once they ended).
        let inFlight = Atomic<Int>(0)
        private let retirement: AsyncStream<Void>
        private let retirementSignal: AsyncStream<Void>.Continuation

        init(_ configuration: DatabaseConfiguration, logger: Logger) {
            self.configuration = configuration
            client = PostgresClient(configuration: configuration.clientConfiguration(), backgroundLogger: logger)
            (retirement, retirementSignal) = AsyncStream<Void>.makeStream()
        }

        /// Runs the pool until it is retired (and its operations ended) or the task is cancelled.
        func run() async {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.client.run() }
                for await _ in retirement {}
                let retired = ContinuousClock.now
                while inFlight.load(ordering: .relaxed) > 0, ContinuousClock.now - retired < .seconds(30), !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(50))
                }
                group.cancelAll()
            }
        }

        /// Closes the pool once the operations on it ended.
        func retire() { retirementSignal.finish() }
    }

    private enum Command: Sendable {
        case run(Pool)
        case recover
        case probe(DatabaseConfiguration)
    }

    private struct State {
        var pool: Pool
        /// Set while the database is known to be unreachable: operations fail at once.
        var outage: DatabaseUnavailable?
        var recovering = false
        var lastProbe: (at: ContinuousClock.Instant, outage: DatabaseUnavailable?)?
        /// When an operation last succeeded (or the pool was made): a probe that only timed out is believed after a while
        /// without success, not at once (a loaded machine may be slow to connect while the pool works).
        var lastSuccess = ContinuousClock.now
        /// Operations waiting for the probe that runs now, by ticket (nil when none runs).
        var probeWaiters: [Int: CheckedContinuation<DatabaseUnavailable?, Never>]?
        var nextTicket = 0
    }

    /// How long an operation waits for a connection before the database is checked.
    static let probeDelay: Duration = .milliseconds(250)
    /// How often a still-waiting operation has the database checked again (a probe's result is shared this long).
    static let probeInterval: Duration = .milliseconds(500)

    private let state: Mutex<State>
    private let commands: AsyncStream<Command>
    private let commandSink: AsyncStream<Command>.Continuation
    private let address: (@Sendable () async -> DatabaseConfiguration?)?
    private let poolLogger: Logger
    private let logger: Logger
    /// A logger for the client's own housekeeping statements (the pool's, errors only).
    var quietLogger: Logger { poolLogger }
    private let outageLog: OutageLog

    /// - Parameters:
    ///   - configuration: Where the database is now, and the pool's settings.
    ///   - address: Reads where the database is now, before reconnecting after an outage (nil: it does not move).
    ///   - poolLogger: The pools' own log.
    ///   - logger: Where the outage and a move are logged.
    init(
        configuration: DatabaseConfiguration,
        address: (@Sendable () async -> DatabaseConfiguration?)?,
        poolLogger: Logger,
        logger: Logger
    ) {
        let pool = Pool(configuration, logger: poolLogger)
        state = Mutex(State(pool: pool))
        (commands, commandSink) = AsyncStream<Command>.makeStream()
        self.address = address
        self.poolLogger = poolLogger
        self.logger = logger
        outageLog = OutageLog("database connections (\(configuration.host):\(configuration.port)/\(configuration.database))", logger: logger)
        commandSink.yield(.run(pool))
    }

    /// Runs the pools and the recovery loop until cancelled.
    func run() async {
        await withDiscardingTaskGroup { group in
            for await command in commands {
                switch command {
                case .run(let pool): group.addTask { await pool.run() }
                case .recover: group.addTask { await self.recover() }
                case .probe(let configuration): group.addTask { await self.runProbe(configuration) }
                }
            }
            group.cancelAll()
        }
    }

    /// The pool to use for one operation, counted as in use until `finished(with:)`; throws at once while the database
    /// is known to be down.
    func acquire() throws -> Pool {
        let pool = try state.withLock { state -> Pool in
            if let outage = state.outage { throw outage }
            return state.pool
        }
        pool.inFlight.add(1, ordering: .relaxed)
        return pool
    }

    /// Ends an operation started with ``acquire()``; an outage it ran into marks the database down.
    func finished(_ pool: Pool, error: (any Error)?) {
        pool.inFlight.subtract(1, ordering: .relaxed)
        guard let error else {
            state.withLock { $0.lastSuccess = ContinuousClock.now }
            return
        }
        guard let outage = DatabaseUnavailable.classify(error) else { return }
        // A deadline of one request says nothing about the database; a server with too many connections is up.
        guard !Self.isDeadline(outage), !outage.isOverload else { return }
        // An operation that failed on a pool already replaced says nothing about the current one.
        guard state.withLock({ $0.pool === pool }) else { return }
        markDown(outage)
    }

    /// Whether the database is known to be down now.
    var outage: DatabaseUnavailable? { state.withLock { $0.outage } }

    /// Records that the database cannot be reached and starts the recovery loop unless it runs.
    func markDown(_ outage: DatabaseUnavailable) {
        let startRecovery = state.withLock { state -> Bool in
            if state.outage == nil { state.outage = outage }
            guard !state.recovering else { return false }
            state.recovering = true
            return true
        }
        outageLog.failed(outage)
        if startRecovery { commandSink.yield(.recover) }
    }

    /// Waits while an operation waits, checking the database after ``probeDelay`` and then every ``probeInterval``.
    ///
    /// Returns when cancelled (the operation got its answer). Throws ``DatabaseUnavailable`` when the database is found
    /// down or `deadline` passes first (a probe still running does not hold the answer past the deadline).
    func watch(until deadline: ContinuousClock.Instant?) async throws {
        var next = ContinuousClock.now + Self.probeDelay
        while true {
            var wake = next
            if let deadline, deadline < wake { wake = deadline }
            do {
                try await Task.sleep(until: wake, clock: .continuous)
            } catch {
                return
            }
            if let deadline, ContinuousClock.now >= deadline { throw Self.deadlinePassed }
            if let outage = self.outage { throw outage }
            let probed = await withTaskGroup(of: DatabaseUnavailable??.self) { group -> DatabaseUnavailable?? in
                group.addTask { .some(await self.sharedProbe()) }
                if let deadline {
                    group.addTask {
                        try? await Task.sleep(until: deadline, clock: .continuous)
                        return .none
                    }
                }
                defer { group.cancelAll() }
                return await group.next() ?? .none
            }
            if Task.isCancelled { return }
            guard let probed else { throw Self.deadlinePassed }
            if let outage = probed, !outage.isOverload {
                // A refusal is believed at once; a timeout only when nothing succeeded for a while either.
                let believed = state.withLock { state in
                    !Self.isTimeout(outage) || ContinuousClock.now - state.lastSuccess > Self.suspicion(state.pool.configuration)
                }
                if believed {
                    markDown(outage)
                    throw outage
                }
            }
            next = ContinuousClock.now + Self.probeInterval
        }
    }

    /// How long without any success a probe that timed out must be backed by to count as an outage.
    static func suspicion(_ configuration: DatabaseConfiguration) -> Duration {
        max(configuration.connectDeadline * 3, .seconds(6))
    }

    /// Whether a probe's failure was a timeout (no answer), not a refusal.
    static func isTimeout(_ unavailable: DatabaseUnavailable) -> Bool {
        unavailable.reason.hasPrefix("no connection to ") && unavailable.reason.contains(" within ")
    }

    static let deadlinePassed = DatabaseUnavailable("the database did not answer within the request's deadline")

    /// Whether `unavailable` is a request's deadline passing (``deadlinePassed``, ``DatabaseClient/missed()``), not an
    /// outage.
    static func isDeadline(_ unavailable: DatabaseUnavailable) -> Bool {
        unavailable.reason == deadlinePassed.reason || unavailable.reason == DatabaseClient.missed().reason
    }

    /// One probe for every waiting operation: a result younger than ``probeInterval``, else the probe running now (a new
    /// one if none runs). The probe runs in the supervisor's own task: a waiter that is cancelled stops waiting at once.
    func sharedProbe() async -> DatabaseUnavailable? {
        enum Step {
            case known(DatabaseUnavailable?)
            case wait(ticket: Int, start: DatabaseConfiguration?)
        }
        let step = state.withLock { state -> Step in
            if let last = state.lastProbe, ContinuousClock.now - last.at < Self.probeInterval { return .known(last.outage) }
            state.nextTicket += 1
            if state.probeWaiters != nil { return .wait(ticket: state.nextTicket, start: nil) }
            state.probeWaiters = [:]
            return .wait(ticket: state.nextTicket, start: state.pool.configuration)
        }
        switch step {
        case .known(let outage):
            return outage
        case .wait(let ticket, let start):
            if let start { commandSink.yield(.probe(start)) }
            return await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let known = state.withLock { state -> DatabaseUnavailable?? in
                        guard state.probeWaiters != nil else { return .some(state.lastProbe?.outage) }
                        if Task.isCancelled { return .some(nil) }
                        state.probeWaiters?[ticket] = continuation
                        return .none
                    }
                    if let known { continuation.resume(returning: known) }
                }
            } onCancel: {
                let waiter = state.withLock { $0.probeWaiters?.removeValue(forKey: ticket) }
                waiter?.resume(returning: nil)
            }
        }
    }

    /// Runs the shared probe and hands its result to every waiter.
    private func runProbe(_ configuration: DatabaseConfiguration) async {
        var outage: DatabaseUnavailable? = nil
        if !ServerProbes.answeredRecently(configuration) {
            outage = await Self.probe(configuration, logger: poolLogger)
            if outage == nil { ServerProbes.answered(configuration) }
        }
        let waiters = state.withLock { state -> [CheckedContinuation<DatabaseUnavailable?, Never>] in
            state.lastProbe = (ContinuousClock.now, outage)
            defer { state.probeWaiters = nil }
            return Array((state.probeWaiters ?? [:]).values)
        }
        for waiter in waiters { waiter.resume(returning: outage) }
    }

    /// Opens and closes one connection to `configuration`: nil when that works, else why not.
    static func probe(_ configuration: DatabaseConfiguration, logger: Logger) async -> DatabaseUnavailable? {
        do {
            let connection = try await PostgresConnection.connect(
                on: PostgresConnection.defaultEventLoopGroup.any(),
                configuration: try configuration.connectionConfiguration(),
                id: 0,
                logger: logger
            )
            try? await connection.close()
            return nil
        } catch {
            let place = "\(configuration.host):\(configuration.port)"
            if let psql = error as? PSQLError, psql.code == .connectionError {
                let cause = psql.underlying.map { "\($0)" } ?? ""
                if cause.localizedCaseInsensitiveContains("refused") {
                    return DatabaseUnavailable("\(place) refuses connections: is the database running?")
                }
                return DatabaseUnavailable("no connection to \(place) within \(configuration.connectDeadline)")
            }
            if let unavailable = DatabaseUnavailable.classify(error) { return unavailable }
            // Refused credentials or a missing database: no connection can be made either, and waiting will not help.
            return DatabaseUnavailable("no connection to \(place): \(StorageError.describe(error))")
        }
    }

    /// Probes with backoff and jitter until the database answers (at the address `address` reads now), then swaps in a
    /// fresh pool there and ends the outage.
    private func recover() async {
        var attempt = 0
        while !Task.isCancelled {
            attempt += 1
            try? await Task.sleep(for: Self.backoff(attempt: attempt))
            if Task.isCancelled { break }
            let current = state.withLock { $0.pool.configuration }
            var target = current
            if let address, let found = await address() {
                target.host = found.host
                target.port = found.port
                target.username = found.username
                target.password = found.password
                target.database = found.database
            }
            let began = ContinuousClock.now
            if let outage = await Self.probe(target, logger: poolLogger) {
                state.withLock { $0.outage = outage }
                continue
            }
            let fresh = Pool(target, logger: poolLogger)
            commandSink.yield(.run(fresh))
            let old = state.withLock { state -> Pool in
                let old = state.pool
                state.pool = fresh
                state.outage = nil
                state.recovering = false
                state.lastProbe = nil
                state.lastSuccess = ContinuousClock.now
                return old
            }
            old.retire()
            if !target.isSameAddress(as: current) {
                logger.notice(
                    "the database moved; connecting to its new address",
                    metadata: ["herald.db.old": "\(current)", "herald.db.new": "\(target)"]
                )
            }
            outageLog.succeeded(startedAt: began)
            return
        }
        state.withLock { $0.recovering = false }
    }

    /// 100 ms, growing by half each attempt up to 1 s, with ±20 % jitter so that many processes do not probe in step.
    static func backoff(attempt: Int) -> Duration {
        let base = min(1.0, 0.1 * pow(1.5, Double(max(0, attempt - 1))))
        return .milliseconds(Int(base * Double.random(in: 0.8...1.2) * 1_000))
    }
}
