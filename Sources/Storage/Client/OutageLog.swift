import Logging
import Synchronization

/// Logs a database outage once when it begins (warning) and once when it ends (info), however many operations fail
/// or succeed meanwhile: a worker, scheduler or spool that retries every second does not fill the log.
public final class OutageLog: Sendable {
    let what: String
    let logger: Logger
    let down = Mutex<ContinuousClock.Instant?>(nil)

    /// - Parameter what: Who is affected, for the log line ("worker", "scheduler", "tracking spool").
    public init(_ what: String, logger: Logger) {
        self.what = what
        self.logger = logger
    }

    /// Whether the last recorded outcome was an outage.
    public var isDown: Bool { down.withLock { $0 != nil } }

    /// Records a failure: when it is an unavailability of the database, logs the outage if it has just begun and
    /// returns it; any other error returns nil and is left to the caller.
    @discardableResult
    public func failed(_ error: any Error) -> DatabaseUnavailable? {
        guard let unavailable = DatabaseUnavailable.classify(error) else { return nil }
        let began = down.withLock { start -> Bool in
            guard start == nil else { return false }
            start = .now
            return true
        }
        if began {
            logger.warning(
                "database unavailable: \(what) waits and retries with backoff",
                metadata: ["herald.error": "\(unavailable.reason)", "herald.outage.component": "\(what)"]
            )
        }
        return unavailable
    }

    /// Records a success: logs the end of an outage if one was going on.
    ///
    /// - Parameter startedAt: When the operation that succeeded began. One begun before the outage was noticed proves
    ///   nothing about the present (while a server shuts down, a statement on a connection it has not closed yet still
    ///   succeeds after another connection failed) and leaves the outage going, so its start is logged once.
    public func succeeded(startedAt: ContinuousClock.Instant) {
        let start = down.withLock { start -> ContinuousClock.Instant? in
            guard let began = start, began <= startedAt else { return nil }
            start = nil
            return began
        }
        guard let start else { return }
        let seconds = Double((ContinuousClock.now - start).components.seconds)
        logger.info(
            "database reachable again: \(what) resumes",
            metadata: ["herald.outage.component": "\(what)", "herald.outage.seconds": "\(Int(seconds))"]
        )
    }
}
