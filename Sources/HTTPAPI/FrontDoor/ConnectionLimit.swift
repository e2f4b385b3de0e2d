import HummingbirdCore
import Logging
import Prometheus

/// Accepts at most a number of open connections at once (Hummingbird stops accepting while the limit is reached, so
/// further clients wait in the listen backlog), and keeps the `herald_http_connections_open` gauge.
struct ConnectionLimit: AvailableConnectionsDelegate {
    let maximum: Int
    let gauge: Gauge
    let logger: Logger
    private var open = 0

    init(maximum: Int, metrics: ServiceMetrics, logger: Logger) {
        self.maximum = maximum
        self.gauge = metrics.openConnections
        self.logger = logger
    }

    mutating func connectionOpened() {
        open += 1
        gauge.set(Double(open))
        if open == maximum {
            logger.warning(
                "open connections reached the limit: new ones wait until some close",
                metadata: ["herald.connections.maximum": "\(maximum)"]
            )
        }
    }

    mutating func connectionClosed() {
        open -= 1
        gauge.set(Double(open))
    }

    func isAcceptingNewConnections() -> Bool {
        open < maximum
    }
}
