import Connectors
import Foundation
import HTTPTypes
import HeraldCore
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Storage
import WebApp

/// How `herald serve` listens and what it accepts.
public struct ServerSettings: Sendable {
    public var host: String
    public var port: Int
    /// The most events one `POST /v1/events` may carry.
    public var maximumBatchRows: Int
    /// How long storing one `POST /v1/events` batch may take: past it the batch is rolled back and answered 503, so that
    /// it is never written after the client was answered or gave up. Keep it below clients' timeouts.
    public var ingestDeadline: Duration
    /// The largest request body accepted, in bytes.
    public var maximumBodyBytes: Int
    /// The address clients reach this service at, for tracking links (no trailing slash);
    /// nil uses the `Host` the request came to.
    public var publicURL: String?
    /// Repeated hits of one tracking link from one client within this window count once (zero counts every hit);
    /// see ``TrackingDeduplicator``.
    public var trackingDeduplicationWindow: Duration
    /// The folder of the tracking spool (`$HERALD_HOME/spool`), where answered hits wait until they are stored; nil
    /// keeps them in memory only (a crash loses the hits not stored yet). See ``TrackingSpool``.
    public var trackingSpoolDirectory: String?
    /// Addresses of reverse proxies whose `X-Forwarded-For` is believed; from any other peer the header is ignored
    /// and the connection's address is the client's.
    public var trustedProxies: Set<String>
    /// The box accounts' credentials are sealed with (`HERALD_SECRET_KEY` or the key file, loaded once by `herald serve`);
    /// nil: `POST /v1/channels` answers that the server has no secret key.
    public var secrets: SecretBox?
    /// The check for a kind of account on `POST /v1/channels` (its connector's), nil for kinds without one: those are
    /// stored unchecked.
    public var accountCheck: @Sendable (AccountKind) -> AccountCheck?
    /// How long a new connection may take to send its first request's head before it is closed.
    public var headerReadTimeout: Duration
    /// How long a kept-alive connection may sit with no request before it is closed.
    public var idleTimeout: Duration
    /// How long a request's body may take to arrive, from its head; past it the request is answered `408` and the
    /// connection closed.
    public var bodyReadTimeout: Duration
    /// The most connections open at once; further clients wait (in the listen backlog) until some close.
    public var maximumConnections: Int
    /// Failed bearer-token attempts allowed per client address and per token prefix before `429`.
    public var tokenAttempts: TokenAttemptLimit
    /// The web back office's sessions and sign-in limits (its public URL is ``publicURL``).
    public var web: WebSettings

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        maximumBatchRows: Int = 10_000,
        maximumBodyBytes: Int = 8 << 20,
        ingestDeadline: Duration = .seconds(10),
        publicURL: String? = nil,
        trackingDeduplicationWindow: Duration = .seconds(30),
        trackingSpoolDirectory: String? = nil,
        trustedProxies: Set<String> = [],
        secrets: SecretBox? = nil,
        accountCheck: @escaping @Sendable (AccountKind) -> AccountCheck? = { _ in nil },
        headerReadTimeout: Duration = .seconds(10),
        idleTimeout: Duration = .seconds(75),
        bodyReadTimeout: Duration = .seconds(60),
        maximumConnections: Int = 4_096,
        tokenAttempts: TokenAttemptLimit = TokenAttemptLimit(),
        web: WebSettings = WebSettings()
    ) {
        self.host = host
        self.port = port
        self.maximumBatchRows = maximumBatchRows
        self.maximumBodyBytes = maximumBodyBytes
        self.ingestDeadline = ingestDeadline
        self.trackingDeduplicationWindow = trackingDeduplicationWindow
        self.trackingSpoolDirectory = trackingSpoolDirectory
        self.trustedProxies = trustedProxies
        self.secrets = secrets
        self.accountCheck = accountCheck
        self.headerReadTimeout = headerReadTimeout
        self.idleTimeout = idleTimeout
        self.bodyReadTimeout = bodyReadTimeout
        self.maximumConnections = maximumConnections
        self.tokenAttempts = tokenAttempts
        self.web = web
        var url = publicURL
        while url?.hasSuffix("/") == true { url?.removeLast() }
        self.publicURL = url
    }
}

/// Herald's HTTP service: the `/v1` API, tracking links and pixels, health and metrics.
public enum HeraldServer {
    /// The router with every route and middleware.
    ///
    /// - Parameter tracking: Where tracking hits go; by default a pipeline kept in memory whose flusher nobody runs
    ///   (hits are answered, never stored): ``buildApplication`` passes one it runs.
    public static func buildRouter(
        database: Database,
        settings: ServerSettings,
        metrics: ServiceMetrics,
        tracking: TrackingPipeline? = nil
    ) -> Router<APIContext> {
        let router = Router(context: APIContext.self)
        router.add(middleware: ObservingMiddleware(metrics: metrics))
        router.add(middleware: BodyLimitMiddleware(maximumBytes: settings.maximumBodyBytes))
        router.add(middleware: AttemptRefusalMiddleware())
        HealthRoutes(database: database, metrics: metrics).add(to: router)
        TrackingRoutes(
            tracking: tracking ?? TrackingPipeline.inMemory(database: database, settings: settings, metrics: metrics),
            trustedProxies: settings.trustedProxies,
            secrets: settings.secrets
        ).add(to: router)
        let gate = TokenGate(tokens: TokenStore(database), settings: settings, metrics: metrics)
        let api = router.group("v1").add(middleware: AuthMiddleware(gate: gate))
        api.get("workspace") { _, context in
            let principal = try context.requirePrincipal()
            return WorkspaceResponse(workspace: principal.workspaceSlug, role: principal.role.rawValue)
        }
        CampaignRoutes(database: database, settings: settings).add(to: api)
        ReviewRoutes(database: database).add(to: api)
        ScheduleRoutes(database: database).add(to: api)
        PublicationRoutes(database: database, settings: settings).add(to: api)
        AccountRoutes(database: database, settings: settings).add(to: api)
        WebhookRoutes(database: database).add(to: api)
        EventRoutes(database: database, settings: settings, metrics: metrics).add(to: api)
        ContactRoutes(database: database, settings: settings).add(to: api)
        AutopilotRoutes(database: database).add(to: api)
        ReportRoutes(database: database, settings: settings, gate: gate).add(to: router, api: api)
        WebApp<APIContext>(
            database: database,
            settings: settings.webSettings,
            origin: settings.requestOrigin,
            secrets: settings.secrets,
            accountCheck: settings.accountCheck
        )
        .add(to: router)
        return router
    }

    /// The application, with `services` (worker, scheduler, maintenance) run beside the server and shut down with it:
    /// what `herald serve` runs, and what the tests run, in process (`app.test(.router)`) or on a socket.
    ///
    /// - Parameters:
    ///   - tracking: The tracking pipeline (its flusher runs beside the server); by default one over
    ///     `settings.trackingSpoolDirectory` (`herald serve` makes its own, so that a folder it cannot use stops it).
    ///   - onServerRunning: Called with the bound port once the server listens (port 0 picks a free one).
    public static func buildApplication(
        database: Database,
        settings: ServerSettings,
        metrics: ServiceMetrics = ServiceMetrics(),
        tracking: TrackingPipeline? = nil,
        services: [any Service] = [],
        logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let tracking = tracking ?? TrackingPipeline.orInMemory(database: database, settings: settings, metrics: metrics, logger: logger)
        return Application(
            router: buildRouter(database: database, settings: settings, metrics: metrics, tracking: tracking),
            server: .herald(settings: settings, metrics: metrics),
            configuration: .init(
                address: .hostname(settings.host, port: settings.port),
                serverName: "herald",
                availableConnectionsDelegate: ConnectionLimit(maximum: settings.maximumConnections, metrics: metrics, logger: logger)
            ),
            // The flusher is shut down after the server (services stop in reverse order), so it stores the last hits.
            services: [tracking.flusher, PartitionMaintenance(database: database, logger: logger)] + services,
            onServerRunning: { channel in
                // One connection accepted per read: NIO accepts up to four at once by default, all counted after the
                // fact, so a full server could take three past `maximumConnections` from its backlog.
                try? await channel.setOption(ChannelOptions.maxMessagesPerRead, value: 1).get()
                await onServerRunning(channel.localAddress?.port ?? settings.port)
            },
            logger: logger
        )
    }
}

extension ServerSettings {
    /// The back office's settings, with the server's public URL.
    var webSettings: WebSettings {
        var web = web
        if web.publicURL == nil { web.publicURL = publicURL }
        return web
    }

    /// Client addresses and HTTPS as the back office sees them: through the trusted proxies only.
    var requestOrigin: RequestOrigin {
        let trusted = trustedProxies
        return RequestOrigin(
            clientAddress: { request, peer in ClientAddress.of(request, peer: peer, trustedProxies: trusted) },
            cameOverHTTPS: { request, peer in
                guard let peer = peer?.ipAddress, trusted.contains(peer) else { return false }
                return request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
            }
        )
    }
}

/// Creates this month's and next month's event partitions at start and every few hours,
/// so ingest and tracking never wait on creating one.
struct PartitionMaintenance: Service {
    let database: Database
    let logger: Logger

    func run() async throws {
        let outages = OutageLog("partition maintenance", logger: logger)
        var failures = 0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let began = ContinuousClock.now
            do {
                try await PartitionManager(database).ensureCurrent(now: Date())
                outages.succeeded(startedAt: began)
                failures = 0
            } catch {
                if outages.failed(error) == nil {
                    logger.warning("could not create event partitions ahead", metadata: ["herald.error": "\(error)"])
                }
                failures += 1
            }
            // After a failure, again soon (backing off to a minute, with jitter) rather than in six hours.
            let pause: Duration =
                failures == 0 ? .seconds(6 * 3_600) : .milliseconds(Int(min(60.0, pow(2.0, Double(failures))) * Double.random(in: 800...1_200)))
            try? await gracefulShutdown(sleeping: pause)
        }
    }

    func gracefulShutdown(sleeping duration: Duration) async throws {
        try await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
    }
}
