import Foundation
import HeraldCore
import Logging
import Scheduling
import ServiceLifecycle
import Storage

/// How tracking hits travel: answered at once from the link cache and the spool, stored in batches by a flusher.
///
/// `GET /r/{code}` and `GET /p/{code}.gif` find their link in ``links`` (no query while it is fresh, and the remembered
/// target while the database is unreachable), append the hit to ``spool`` (a `write(2)` to a local file) and answer:
/// the redirect never waits on a transaction, and an outage breaks no link. The ``flusher`` hands the hits appended
/// meanwhile to ``EventIngestor/record(_:database:deduplicator:)`` in one transaction (group commit), where they are
/// deduplicated, marked as bots and stored; while the database is unreachable the spool grows, and drains when it is back.
public final class TrackingPipeline: Sendable {
    public let database: Database
    public let spool: TrackingSpool
    public let links: TrackingLinkCache
    /// Decides which hits count; shared by every request and the flusher (it remembers the day's salt).
    public let deduplicator: TrackingDeduplicator
    public let metrics: ServiceMetrics
    let logger: Logger
    /// The most hits stored in one transaction.
    public let batchLimit: Int
    /// The time a hit is recorded at: the wall clock, or the demo's fast-forwarded one.
    let now: @Sendable () -> Date

    /// A pipeline spooling to `directory` (`$HERALD_HOME/spool`; nil keeps hits in memory only, for in-process tests).
    ///
    /// - Parameter now: The time hits are recorded at (the wall clock; `herald demo` passes its fast-forwarded clock).
    /// - Throws: When the spool folder cannot be made.
    public init(
        database: Database,
        directory: String?,
        deduplicationWindow: Duration,
        metrics: ServiceMetrics,
        batchLimit: Int = 5_000,
        logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        self.now = now
        self.database = database
        self.spool = try TrackingSpool(directory: directory, logger: logger)
        self.links = TrackingLinkCache(database: database, file: directory.map { $0 + "/links.json" }, logger: logger)
        self.deduplicator = TrackingDeduplicator(database, window: deduplicationWindow)
        self.metrics = metrics
        self.batchLimit = batchLimit
        self.logger = logger
    }

    /// The pipeline of a server's settings; when the spool's folder cannot be made, one in memory (logged as an error).
    static func orInMemory(database: Database, settings: ServerSettings, metrics: ServiceMetrics, logger: Logger) -> TrackingPipeline {
        do {
            return try TrackingPipeline(
                database: database,
                directory: settings.trackingSpoolDirectory,
                deduplicationWindow: settings.trackingDeduplicationWindow,
                metrics: metrics,
                logger: logger
            )
        } catch {
            logger.error("the tracking spool folder cannot be used; hits wait in memory only", metadata: ["herald.error": "\(error)"])
            return inMemory(database: database, settings: settings, metrics: metrics)
        }
    }

    /// A pipeline that keeps hits in memory only.
    static func inMemory(database: Database, settings: ServerSettings, metrics: ServiceMetrics) -> TrackingPipeline {
        // Without a folder nothing can fail.
        try! TrackingPipeline(
            database: database,
            directory: nil,
            deduplicationWindow: settings.trackingDeduplicationWindow,
            metrics: metrics,
            logger: database.logger
        )
    }

    /// Appends a hit of `target` (answered now) to the spool.
    ///
    /// - Parameters:
    ///   - client: The client's address (kept only as a hash, or until the hit is stored when the day's salt is not known).
    ///   - userAgent: The request's `User-Agent`, nil when none.
    ///   - detail: For an unsubscribe, where it came from (`one_click`, `unsubscribe_page`).
    func record(_ target: TrackingTarget, kind: EventKind, client: String, userAgent: String?, detail: String? = nil) {
        let now = self.now()
        let link = TrackingHit.link(kind: kind, publication: target.publication, message: target.message)
        var isBot = BotFilter.isBot(userAgent: userAgent)
        if target.message != nil {
            // An unsubscribe counts whoever posts it (a mail provider's one-click POST has no browser's User-Agent);
            // opens and clicks of a message are also a proxy's or scanner's when they come with one or on delivery.
            isBot = kind == .unsubscribe ? false : BotFilter.isAutomated(userAgent: userAgent, sentAt: target.sentAt, at: now)
        }
        var hit = TrackingHit(
            target: target,
            kind: kind,
            at: now,
            isBot: isBot,
            client: deduplicator.client(link: link, client: client, userAgent: userAgent ?? "", at: now)
        )
        hit.detail = detail
        spool.append(hit)
    }

    /// The service that stores spooled hits (run it beside the server: ``HeraldServer/buildApplication``).
    public var flusher: TrackingFlusher { TrackingFlusher(pipeline: self) }

    /// Waits until every hit appended before the call is stored (or `timeout` passes); for tests, benches and shutdown.
    ///
    /// - Returns: Whether everything was stored.
    @discardableResult
    public func settle(timeout: Duration = .seconds(60)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !spool.isSettled {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return true
    }
}

/// Stores the tracking spool's hits in batches until shutdown; replays spool files of stopped processes.
///
/// Each round takes the hits waiting (up to the pipeline's batch limit), `fsync`s the spool file, and stores them in
/// one transaction; the hits answered meanwhile form the next batch, so batches grow with the load (group commit).
/// While the database is unreachable it backs off with jitter (0.2 s to 5 s), logging the outage once when it begins
/// and once when it ends (``OutageLog``). A hit refused for another reason (its variant deleted since) is tried alone,
/// and dropped with an error log if it still fails. On shutdown it stores what it can within a few seconds; what is
/// left stays in the spool file for the next process.
public struct TrackingFlusher: Service {
    let pipeline: TrackingPipeline

    public func run() async throws {
        let spool = pipeline.spool
        let outage = OutageLog("tracking spool", logger: pipeline.logger)
        let backoff = RetryPolicy(base: 0.2, cap: 5, jitter: 0.5)
        var generator = SystemRandomNumberGenerator()
        var failures = 0
        var lastScan = ContinuousClock.now
        var lastPreload = ContinuousClock.now
        spool.adoptOrphans()
        defer { spool.shutDown() }
        // Links are loaded ahead (at start and every few seconds), so that one never clicked on this server still
        // redirects during an outage; an outage only delays the next load.
        try? await pipeline.links.preload()
        while !Task.isCancelled {
            if Task.isShuttingDownGracefully {
                await finish(outage: outage)
                return
            }
            if ContinuousClock.now - lastPreload > .seconds(5) {
                lastPreload = .now
                try? await pipeline.links.preload()
            }
            if ContinuousClock.now - lastScan > .seconds(10) {
                lastScan = .now
                spool.adoptOrphans()
                pipeline.links.save()
            }
            let batch = spool.take(upTo: pipeline.batchLimit)
            if batch.isEmpty {
                // Wait for hits (or, within a second, a look at other processes' spools or shutdown).
                await spool.waitForHits(atMost: .seconds(1))
                continue
            }
            switch await store(batch, outage: outage) {
            case .stored:
                failures = 0
            case .unavailable:
                failures += 1
                let delay = backoff.delay(afterAttempt: failures, using: &generator)
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(Int(delay * 1_000))) }
            }
        }
    }

    enum Outcome { case stored, unavailable }

    /// The metric series a stored hit counts in.
    struct TrackingSeries: Hashable {
        var kind: EventKind
        var bot: Bool
    }

    /// Stores a batch; gives it back when the database is unreachable; tries its hits alone on any other failure.
    func store(_ batch: [TrackingSpool.Pending], outage: OutageLog) async -> Outcome {
        let spool = pipeline.spool
        spool.synchronize()
        let began = ContinuousClock.now
        do {
            let counted = try await EventIngestor.record(batch.map(\.hit), database: pipeline.database, deduplicator: pipeline.deduplicator)
            outage.succeeded(startedAt: began)
            spool.stored(batch)
            var stored: [TrackingSeries: Int] = [:]
            for (pending, counts) in zip(batch, counted) where counts {
                stored[TrackingSeries(kind: pending.hit.kind, bot: pending.hit.isBot), default: 0] += 1
            }
            for (series, count) in stored {
                pipeline.metrics.recordTracking(kind: series.kind.rawValue, bot: series.bot, count: count)
            }
            return .stored
        } catch {
            // Cancelled (shutdown), an outage, or a failure that passes (a deadlock, a serialization failure, a
            // statement timeout): later, never dropped.
            if Task.isCancelled || error is CancellationError || outage.failed(error) != nil
                || ["40P01", "40001", "57014"].contains(StorageError.sqlState(error) ?? "")
            {
                spool.giveBack(batch)
                return .unavailable
            }
            guard batch.count > 1 else {
                pipeline.logger.error(
                    "a tracking hit could not be stored and is dropped",
                    metadata: ["herald.event.id": "\(batch[0].hit.id)", "herald.error": "\(error)"]
                )
                spool.stored(batch)
                return .stored
            }
            pipeline.logger.warning("a batch of tracking hits failed; storing them one by one", metadata: ["herald.error": "\(error)"])
            for (index, pending) in batch.enumerated() where await store([pending], outage: outage) == .unavailable {
                // `store` gave this one back; the rest follow it.
                spool.giveBack(Array(batch[(index + 1)...]))
                return .unavailable
            }
            return .stored
        }
    }

    /// On shutdown: stores what waits, for at most a few seconds (then the store in progress is cancelled and given
    /// back): what is left stays in the spool file for the next process.
    func finish(outage: OutageLog) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    let batch = pipeline.spool.take(upTo: pipeline.batchLimit)
                    guard !batch.isEmpty else { return }
                    if await store(batch, outage: outage) == .unavailable { return }
                }
            }
            group.addTask { try? await Task.sleep(for: .seconds(3)) }
            await group.next()
            group.cancelAll()
        }
        pipeline.links.save()
    }
}
