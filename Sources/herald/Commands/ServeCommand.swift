import ArgumentParser
import Foundation
import HTTPAPI
import HeraldCore
import Hummingbird
import Logging
import ServiceLifecycle
import Storage
import UnixSignals
import WebApp

/// `herald serve`: the HTTP service, with a worker and the scheduler in the same process unless `--no-worker`.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the HTTP API, tracking links and metrics (with a worker unless --no-worker) until SIGTERM/SIGINT."
    )

    @OptionGroup var options: CommonOptions
    @Option(help: "Address to listen on (default: HERALD_HOST or 127.0.0.1; 0.0.0.0 for every interface).") var host: String?
    @Option(help: "Port to listen on (default: HERALD_PORT or 8080).") var port: Int?
    @Option(help: "Most events per POST /v1/events (default: HERALD_MAX_BATCH or 10000).") var maxBatch: Int?
    @Option(help: "Largest request body in bytes (default: HERALD_MAX_BODY_BYTES or 8388608).") var maxBodyBytes: Int?
    @Option(help: "The URL clients reach this service at, for tracking links (default: HERALD_PUBLIC_URL or http://host:port).")
    var publicURL: String?
    @Option(
        help:
            "Repeated hits of one tracking link from one client within this many seconds count once; 0 counts every hit (default: HERALD_TRACKING_DEDUP_SECONDS or 30)."
    )
    var trackingDedupSeconds: Int?
    @Option(
        help: "A reverse proxy whose X-Forwarded-For names the client (repeatable; default: HERALD_TRUSTED_PROXIES, comma-separated, or none)."
    )
    var trustedProxy: [String] = []
    @Option(
        help:
            "Seconds storing one POST /v1/events batch may take; past it the batch is rolled back and answered 503 (default: HERALD_INGEST_DEADLINE_SECONDS or 10)."
    )
    var ingestDeadlineSeconds: Int?
    @Option(help: "Seconds a new connection may take to send its first request head (default: HERALD_HEADER_TIMEOUT_SECONDS or 10).")
    var headerTimeoutSeconds: Int?
    @Option(help: "Seconds a kept-alive connection may sit idle before it is closed (default: HERALD_IDLE_TIMEOUT_SECONDS or 75).")
    var idleTimeoutSeconds: Int?
    @Option(help: "Seconds a request body may take to arrive, from its head; then 408 (default: HERALD_BODY_TIMEOUT_SECONDS or 60).")
    var bodyTimeoutSeconds: Int?
    @Option(help: "Most connections open at once; more wait until some close (default: HERALD_MAX_CONNECTIONS or 4096).")
    var maxConnections: Int?
    @Option(
        help:
            "Failed token attempts allowed per client address and per token prefix in the window, then 429; 0 for no limit (default: HERALD_TOKEN_FAILURES or 20)."
    )
    var tokenFailures: Int?
    @Option(help: "The window failed token attempts are counted over, in seconds (default: HERALD_TOKEN_FAILURE_WINDOW_SECONDS or 60).")
    var tokenFailureWindowSeconds: Int?
    @Flag(help: "Serve only: run no worker or scheduler in this process.") var noWorker = false
    @OptionGroup(title: "Worker (unless --no-worker)") var worker: WorkerOptions

    /// The server's settings: these flags over the environment's (``HeraldConfiguration/server``), over the defaults.
    func settings(_ configuration: HeraldConfiguration) throws -> ServerSettings {
        let environment = configuration.server
        let settings = ServerSettings(
            host: host ?? environment.host ?? "127.0.0.1",
            port: try port ?? environment.port() ?? 8080,
            maximumBatchRows: try maxBatch ?? environment.maximumBatchRows() ?? 10_000,
            maximumBodyBytes: try maxBodyBytes ?? environment.maximumBodyBytes() ?? 8 << 20,
            ingestDeadline: .seconds(try ingestDeadlineSeconds ?? environment.ingestDeadlineSeconds() ?? 10),
            publicURL: publicURL ?? environment.publicURL,
            trackingDeduplicationWindow: .seconds(try trackingDedupSeconds ?? environment.trackingDeduplicationSeconds() ?? 30),
            trustedProxies: trustedProxy.isEmpty ? environment.trustedProxies : Set(trustedProxy),
            headerReadTimeout: .seconds(try headerTimeoutSeconds ?? environment.frontDoor(.headerTimeoutSeconds) ?? 10),
            idleTimeout: .seconds(try idleTimeoutSeconds ?? environment.frontDoor(.idleTimeoutSeconds) ?? 75),
            bodyReadTimeout: .seconds(try bodyTimeoutSeconds ?? environment.frontDoor(.bodyTimeoutSeconds) ?? 60),
            maximumConnections: try maxConnections ?? environment.frontDoor(.maximumConnections) ?? 4_096,
            tokenAttempts: TokenAttemptLimit(
                failures: try tokenFailures ?? environment.frontDoor(.tokenFailures) ?? 20,
                window: .seconds(try tokenFailureWindowSeconds ?? environment.frontDoor(.tokenFailureWindowSeconds) ?? 60)
            )
        )
        guard settings.ingestDeadline >= Duration.seconds(1) else {
            throw HeraldCore.ValidationError(field: "ingest-deadline-seconds", reason: "must be at least 1")
        }
        for (value, flag) in [
            (settings.headerReadTimeout, "header-timeout-seconds"), (settings.idleTimeout, "idle-timeout-seconds"),
            (settings.bodyReadTimeout, "body-timeout-seconds"), (settings.tokenAttempts.window, "token-failure-window-seconds"),
        ] where value < .seconds(1) {
            throw HeraldCore.ValidationError(field: flag, reason: "must be at least 1 second")
        }
        guard settings.maximumConnections >= 1, settings.tokenAttempts.failures >= 0 else {
            throw HeraldCore.ValidationError(
                field: "max-connections",
                reason: "at least 1 connection must be allowed, and token failures must be 0 (no limit) or more"
            )
        }
        guard (0...65_535).contains(settings.port) else {
            throw HeraldCore.ValidationError(field: "port", reason: "\(settings.port) is not a port (0 to 65535)")
        }
        guard settings.trackingDeduplicationWindow >= .zero else {
            throw HeraldCore.ValidationError(field: "tracking-dedup-seconds", reason: "must be 0 (count every hit) or more")
        }
        guard settings.maximumBatchRows >= 1, settings.maximumBodyBytes >= 1_024 else {
            throw HeraldCore.ValidationError(
                field: "max-batch",
                reason: "the batch limit must be at least 1 row and the body limit at least 1024 bytes"
            )
        }
        return settings
    }

    func run() async throws {
        let configuration = options.configuration()
        var edited = try settings(configuration)
        let logger = Logger(label: "herald.serve")
        // Loaded once here: the key file is created (0600) on first use; a bad key or an unsafe key file stops the server
        // before it listens. A key file that cannot be made (a read-only HERALD_HOME) only disables connecting accounts.
        do {
            edited.secrets = try configuration.secrets()
        } catch let error as SecretError where error.code == .keyFile {
            logger.warning("no secret key: connecting accounts through the API is refused", metadata: ["herald.error": "\(error)"])
        }
        edited.accountCheck = { AccountChecks.available(for: $0) }
        // HERALD_X_* and HERALD_LINKEDIN_*: the apps the accounts page connects X and LinkedIn accounts through.
        edited.web.oauthApps = OAuthApps(environment: configuration.environment)
        edited.trackingSpoolDirectory = configuration.home.appendingPathComponent("spool").path
        let settings = edited
        let grace = self.grace
        // The backstop: whatever does not end on cancellation (a statement or a connection attempt that has not timed
        // out yet), the process exits 0 a moment after the grace period instead of being killed or trapping.
        let deadline = ShutdownDeadline(after: grace + .seconds(3), logger: logger)
        defer { deadline.disarm() }
        try await options.session().run { database, _ in
            let publicURL = settings.publicURL ?? "http://\(settings.host):\(settings.port)"
            let services =
                noWorker ? [] : try worker.services(database: database, configuration: configuration, logger: logger, publicURL: publicURL)
            // Made here so that a spool folder that cannot be used stops the server before it listens.
            let tracking = try TrackingPipeline(
                database: database,
                directory: settings.trackingSpoolDirectory,
                deduplicationWindow: settings.trackingDeduplicationWindow,
                metrics: ServiceMetrics(),
                logger: logger
            )
            let application = HeraldServer.buildApplication(
                database: database,
                settings: settings,
                metrics: tracking.metrics,
                tracking: tracking,
                services: services,
                logger: logger
            ) { port in
                // One line on standard output so scripts (and tests) learn the port when it was 0.
                FileHandle.standardOutput.write(Data("herald: serving on http://\(settings.host):\(port)\n".utf8))
            }
            // SIGTERM/SIGINT: stop accepting, let requests and jobs in flight finish for the grace period (the database
            // failing fast, none waits on it), then cancel what is left; the process exits 0 either way.
            var groupConfiguration = ServiceGroupConfiguration(services: [application], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            groupConfiguration.maximumGracefulShutdownDuration = grace
            // No limit here: ServiceLifecycle traps (SIGILL) when cancelling takes longer than its limit; the
            // deadline above ends the process cleanly instead.
            groupConfiguration.maximumCancellationDuration = nil
            let group = ServiceGroup(configuration: groupConfiguration)
            do {
                try await group.run()
            } catch let error as ServiceGroupError {
                logger.warning("shutdown did not finish within the grace period; what was left was cancelled", metadata: ["herald.error": "\(error)"])
            }
        }
    }

    /// How long SIGTERM waits for work in flight before cancelling it: the worker's `--grace` for its jobs, and a little
    /// more for it to release them and for the last requests to be answered.
    var grace: Duration { .milliseconds(Int64(max(0, worker.grace) * 1_000)) + .seconds(2) }
}
