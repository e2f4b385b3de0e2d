import Foundation
import HeraldCore
import Hummingbird
import Prometheus
import Storage
import Synchronization

/// The service's Prometheus metrics: requests and latencies by route, events ingested, tracking hits,
/// and, read at scrape time, jobs by state, database connections, publications by connector and state, and accounts by
/// kind and health.
public final class ServiceMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let eventsAccepted: Counter
    let eventsDuplicate: Counter
    let eventsRejected: Counter
    /// Connections open on the server now (``ConnectionLimit`` keeps it).
    let openConnections: Gauge

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        eventsAccepted = registry.makeCounter(
            name: "herald_events_ingested_total",
            labels: [("result", "accepted")],
            help: "Engagement events received"
        )
        eventsDuplicate = registry.makeCounter(
            name: "herald_events_ingested_total",
            labels: [("result", "duplicate")],
            help: "Engagement events received"
        )
        eventsRejected = registry.makeCounter(
            name: "herald_events_ingested_total",
            labels: [("result", "rejected")],
            help: "Engagement events received"
        )
        openConnections = registry.makeGauge(name: "herald_http_connections_open", help: "HTTP connections open on the server")
    }

    static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]

    /// A request's counter and latency histogram, by method, route and status.
    struct RequestSeries: Hashable {
        var method: String
        var route: String
        var status: Int
    }

    /// The request series made so far: the registry is asked once per series, not once per request (its lookup
    /// validates names and labels each time, a few percent of a tracking redirect's cost).
    let requestSeries = Mutex<[RequestSeries: (counter: Counter, latency: DurationHistogram)]>([:])

    func recordRequest(method: String, route: String, status: Int, duration: Duration) {
        let series = RequestSeries(method: method, route: route, status: status)
        let metrics = requestSeries.withLock { known in
            if let metrics = known[series] { return metrics }
            let metrics = (
                counter: registry.makeCounter(
                    name: "herald_http_requests_total",
                    labels: [("method", method), ("route", route), ("status", String(status))],
                    help: "HTTP requests answered"
                ),
                latency: registry.makeDurationHistogram(
                    name: "herald_http_request_duration_seconds",
                    labels: [("method", method), ("route", route)],
                    buckets: Self.latencyBuckets,
                    help: "HTTP request latency"
                )
            )
            known[series] = metrics
            return metrics
        }
        metrics.counter.increment()
        metrics.latency.record(duration)
    }

    func recordIngest(accepted: Int, duplicates: Int) {
        eventsAccepted.increment(by: Int64(accepted))
        eventsDuplicate.increment(by: Int64(duplicates))
    }

    func recordRejected(_ rows: Int) {
        eventsRejected.increment(by: Int64(rows))
    }

    func recordTracking(kind: String, bot: Bool, count: Int = 1) {
        registry.makeCounter(
            name: "herald_tracking_hits_total",
            labels: [("kind", kind), ("bot", bot ? "true" : "false")],
            help: "Tracking link clicks and pixel impressions"
        ).increment(by: Int64(count))
    }

    /// Counts a connection closed because its client was too slow: `header` (no request head in time) or `body`
    /// (a request body not in time).
    func recordConnectionTimedOut(phase: String) {
        registry.makeCounter(
            name: "herald_http_connections_timed_out_total",
            labels: [("phase", phase)],
            help: "Connections closed because the client sent a request head or body too slowly"
        ).increment()
    }

    /// Counts a failed bearer-token attempt: `malformed` (not `Bearer <token>`) or `unknown` (unknown or revoked token).
    func recordTokenFailure(reason: String) {
        registry.makeCounter(
            name: "herald_auth_failures_total",
            labels: [("reason", reason)],
            help: "Bearer-token attempts that failed"
        ).increment()
    }

    /// Counts an attempt refused with 429 before the database was asked, by the count that was full (`address`, `prefix`).
    func recordTokenAttemptRefused(scope: String) {
        registry.makeCounter(
            name: "herald_auth_throttled_total",
            labels: [("scope", scope)],
            help: "Bearer-token attempts refused (429) after too many failures from one address or for one token prefix"
        ).increment()
    }

    /// Refreshes the gauges read from the database, then renders the exposition text.
    ///
    /// While the database cannot be reached, `herald_database_up` is 0 and the gauges read from it keep their last
    /// values: the service's own metrics are still served.
    func render(database: Database) async throws -> String {
        let up = registry.makeGauge(name: "herald_database_up", help: "1 when the database answered this scrape, 0 when it could not be reached")
        do {
            try await refreshDatabaseGauges(database: database)
            up.set(Double(1))
        } catch  where DatabaseUnavailable.classify(error) != nil {
            up.set(Double(0))
        }
        return registry.emitToString()
    }

    /// Sets the gauges read from the database.
    private func refreshDatabaseGauges(database: Database) async throws {
        let stats = try await JobQueue(database).stats(now: Date())
        var byState: [String: Int] = ["pending": 0, "running": 0, "completed": 0, "failed": 0, "dead": 0, "cancelled": 0]
        for (_, states) in stats.counts {
            for (state, count) in states { byState[state, default: 0] += count }
        }
        for (state, count) in byState {
            registry.makeGauge(name: "herald_jobs", labels: [("state", state)], help: "Jobs in the queue by state").set(Double(count))
        }
        registry.makeGauge(name: "herald_jobs_oldest_pending_seconds", help: "Age of the oldest due pending job")
            .set(stats.oldestPendingSeconds ?? 0)
        let connections = try await database.connectionStats()
        for (state, count) in connections {
            registry.makeGauge(
                name: "herald_database_connections",
                labels: [("state", state)],
                help: "Connections to Herald's database by state (all processes sharing it)"
            ).set(Double(count))
        }
        let gauges = DeliveryGauges(database)
        for count in try await gauges.publications() {
            registry.makeGauge(
                name: "herald_publications",
                labels: [("connector", count.labels[0]), ("state", count.labels[1])],
                help: "Publications by connector (account kind, dry_run, or none) and state, counted in the database"
            ).set(Double(count.value))
        }
        for count in try await gauges.accounts() {
            registry.makeGauge(
                name: "herald_accounts",
                labels: [("kind", count.labels[0]), ("health", count.labels[1])],
                help: "Connected accounts by kind and health, counted in the database"
            ).set(Double(count.value))
        }
    }
}
