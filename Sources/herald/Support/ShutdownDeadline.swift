import Dispatch
import HeraldCore
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// A backstop for graceful shutdown: once SIGTERM or SIGINT has come, the process exits with status 0 after `limit`
/// even if something is still waiting (a pool waiting for a database that is gone, a connection that never answers).
///
/// The services normally stop well within the limit (the worker releases its jobs within its grace period); this only
/// makes sure an orchestrator never has to SIGKILL Herald. Jobs still held then are rescued as soon as the database
/// sees the process's session end. Keep the value alive for as long as the process runs.
struct ShutdownDeadline {
    private let sources: [any DispatchSourceSignal]

    /// Arms the deadline.
    ///
    /// - Parameters:
    ///   - limit: How long after the first signal the process may take to stop on its own.
    ///   - logger: Where the forced exit is logged.
    init(after limit: Duration, logger: Logger) {
        let delay = limit.seconds
        sources = [SIGTERM, SIGINT].map { number in
            // Dispatch sees a signal only when its default action (ending the process) is off; the service group turns
            // it off too, and handles the graceful part.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                DispatchQueue.global().asyncAfter(deadline: .now() + delay) {
                    logger.warning(
                        "shutdown is taking longer than its grace period; exiting now",
                        metadata: ["herald.shutdown.limit_seconds": "\(delay)"]
                    )
                    exit(0)
                }
            }
            source.resume()
            return source
        }
    }

    /// Keeps the signal sources alive (call at the end of the command).
    func disarm() {
        for source in sources { source.cancel() }
    }
}
