import AsyncHTTPClient
import Foundation
import HTTPAPI
import HTTPTypes
import HeraldCore
import HeraldTestSupport
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOHTTP1
import PostgresNIO
import ServiceLifecycle

@testable import Storage

/// A Herald application over a fresh database, and a client for it: in process through HummingbirdTesting's
/// router client (``with(maximumBatchRows:maximumBodyBytes:logger:_:)``), or as a real server on a free loopback
/// port (``live(maximumBatchRows:maximumBodyBytes:logger:_:)``) where a socket matters: the server process,
/// concurrent and slow clients, tracking links. Both build the app with `HeraldServer.buildApplication`, as
/// `herald serve` does.
struct TestServer: Sendable {
    let database: Database
    let settings: ServerSettings
    /// Where the server's tracking hits go (``count(_:)`` waits until they are stored).
    let tracking: TrackingPipeline
    private let transport: Transport

    /// How requests reach the application.
    enum Transport: Sendable {
        /// Straight to the router, in process.
        case router(any TestClientProtocol)
        /// Over a socket to a server listening on this port.
        case socket(port: Int)
    }

    /// The port of a live server.
    var port: Int {
        guard case .socket(let port) = transport else { preconditionFailure("an in-process test server has no port; use TestServer.live") }
        return port
    }

    /// What a request got back.
    struct Reply: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]

        var text: String { String(decoding: body, as: UTF8.self) }

        func json() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
                throw TestServerError("not a JSON object: \(text)")
            }
            return object
        }

        /// The error envelope's `code`, `message` and detail fields.
        func error() throws -> (code: String, message: String, fields: [String]) {
            let error = try json()["error"] as? [String: Any] ?? [:]
            let details = error["details"] as? [[String: Any]] ?? []
            return (error["code"] as? String ?? "", error["message"] as? String ?? "", details.compactMap { $0["field"] as? String })
        }
    }

    struct TestServerError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static func settings(maximumBatchRows: Int, maximumBodyBytes: Int) -> ServerSettings {
        ServerSettings(
            host: "127.0.0.1",
            port: 0,
            maximumBatchRows: maximumBatchRows,
            maximumBodyBytes: maximumBodyBytes,
            secrets: try? SecretBox(base64: SecretBox.generateKey(), source: "a test key")
        )
    }

    /// Runs `body` against the application in process (requests go straight to its router) on a fresh database.
    static func with(
        maximumBatchRows: Int = 5_000,
        maximumBodyBytes: Int = 4 << 20,
        logger: Logger = TestDatabase.logger,
        _ body: @Sendable (TestServer) async throws -> Void
    ) async throws {
        try await TestDatabase.withFreshDatabase { database in
            let settings = Self.settings(maximumBatchRows: maximumBatchRows, maximumBodyBytes: maximumBodyBytes)
            let tracking = try Self.tracking(database: database, settings: settings, logger: logger)
            let application = HeraldServer.buildApplication(
                database: database,
                settings: settings,
                metrics: tracking.metrics,
                tracking: tracking,
                logger: logger
            )
            try await application.test(.router) { client in
                try await body(TestServer(database: database, settings: settings, tracking: tracking, transport: .router(client)))
            }
        }
    }

    /// Runs `body` with a real server on a free loopback port over a fresh database; stops it afterwards.
    ///
    /// - Parameter configure: Changes the server's settings before it starts (e.g. the tracking deduplication window).
    static func live(
        maximumBatchRows: Int = 5_000,
        maximumBodyBytes: Int = 4 << 20,
        logger: Logger = TestDatabase.logger,
        configure: (inout ServerSettings) -> Void = { _ in },
        _ body: (TestServer) async throws -> Void
    ) async throws {
        try await TestDatabase.withFreshDatabase { database in
            try await live(
                on: database,
                maximumBatchRows: maximumBatchRows,
                maximumBodyBytes: maximumBodyBytes,
                logger: logger,
                configure: configure,
                body
            )
        }
    }

    /// Runs `body` with a real server on a free loopback port over `database` (e.g. one of a ``TestCluster`` that the
    /// test stops and starts); stops the server afterwards.
    static func live(
        on database: Database,
        maximumBatchRows: Int = 5_000,
        maximumBodyBytes: Int = 4 << 20,
        logger: Logger = TestDatabase.logger,
        configure: (inout ServerSettings) -> Void = { _ in },
        _ body: (TestServer) async throws -> Void
    ) async throws {
        do {
            var settings = Self.settings(maximumBatchRows: maximumBatchRows, maximumBodyBytes: maximumBodyBytes)
            configure(&settings)
            let tracking = try Self.tracking(database: database, settings: settings, logger: logger)
            let (ports, continuation) = AsyncStream<Int>.makeStream()
            let application = HeraldServer.buildApplication(
                database: database,
                settings: settings,
                metrics: tracking.metrics,
                tracking: tracking,
                logger: logger
            ) { port in
                continuation.yield(port)
            }
            // Run as a service group so the end is a graceful shutdown, not a cancellation; as `herald serve` does, what
            // has not ended when the grace period is over is cancelled, so a test never waits on a shutdown forever.
            var configuration = ServiceGroupConfiguration(services: [application], logger: TestDatabase.logger)
            configuration.maximumGracefulShutdownDuration = .seconds(60)
            configuration.maximumCancellationDuration = nil
            let services = ServiceGroup(configuration: configuration)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    // A server that fails to start ends the wait for its port.
                    defer { continuation.finish() }
                    do {
                        try await services.run()
                    } catch let error as ServiceGroupError {
                        logger.warning("the test server's shutdown outlasted its grace period", metadata: ["herald.error": "\(error)"])
                    }
                }
                var iterator = ports.makeAsyncIterator()
                guard let port = await iterator.next() else {
                    try await group.waitForAll()
                    throw TestServerError("the server did not start")
                }
                do {
                    try await body(TestServer(database: database, settings: settings, tracking: tracking, transport: .socket(port: port)))
                } catch {
                    await services.triggerGracefulShutdown()
                    throw error
                }
                await services.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
    }

    /// Sends a request and reads the whole answer (redirects are not followed).
    func send(
        _ method: HTTPMethod,
        _ path: String,
        token: String? = nil,
        body: [UInt8]? = nil,
        headers: [(String, String)] = []
    ) async throws -> Reply {
        var fields = headers
        if let token { fields.append(("Authorization", "Bearer \(token)")) }
        if body != nil, !fields.contains(where: { $0.0.lowercased() == "content-type" }) { fields.append(("Content-Type", "application/json")) }
        switch transport {
        case .router(let client):
            var httpFields = HTTPFields()
            for (name, value) in fields {
                guard let name = HTTPField.Name(name) else { throw TestServerError("not a header name: \(name)") }
                httpFields.append(HTTPField(name: name, value: value))
            }
            let response = try await client.executeRequest(
                uri: path,
                method: HTTPRequest.Method(rawValue: method.rawValue)!,
                headers: httpFields,
                body: body.map { ByteBuffer(bytes: $0) }
            )
            var replyHeaders = HTTPHeaders()
            for field in response.headers { replyHeaders.add(name: field.name.rawName, value: field.value) }
            return Reply(status: Int(response.status.code), headers: replyHeaders, body: Array(response.body.readableBytesView))
        case .socket(let port):
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
            request.method = method
            for (name, value) in fields { request.headers.add(name: name, value: value) }
            if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
            let response = try await Self.client.execute(request, timeout: .seconds(60))
            let collected = try await response.body.collect(upTo: 64 << 20)
            return Reply(status: Int(response.status.code), headers: response.headers, body: Array(collected.readableBytesView))
        }
    }

    func send(_ method: HTTPMethod, _ path: String, token: String? = nil, json: String, headers: [(String, String)] = []) async throws -> Reply {
        try await send(method, path, token: token, body: Array(json.utf8), headers: headers)
    }

    /// A client that does not follow redirects, shared by every test.
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// A token of a new workspace `slug` with `role`.
    func token(workspace slug: String, role: TokenRole) async throws -> String {
        let workspace = try await WorkspaceStore(database).ensure(slug: slug)
        return try await TokenStore(database).create(workspace: workspace, role: role).secret
    }

    /// Creates a campaign through the API (a dry run: it publishes to the table-only sink) and returns its JSON.
    func createCampaign(
        token: String,
        slug: String = "spring",
        destination: String? = "https://shop.example.com/shoes?ref=herald"
    ) async throws -> [String: Any] {
        let destinationField = destination.map { #", "destination": "\#($0)""# } ?? ""
        let reply = try await send(
            .POST,
            "/v1/campaigns",
            token: token,
            json:
                #"{"name": "Spring \#(slug)", "slug": "\#(slug)", "channels": ["x", "email"], "dry_run": true\#(destinationField), "variants": [{"text": "Trail season is here.", "subject": "Trail season"}, {"text": "Ready for your first ultra?", "subject": "Your first ultra"}]}"#
        )
        guard reply.status == 201 else { throw TestServerError("creating a campaign answered \(reply.status): \(reply.text)") }
        return try reply.json()
    }

    /// The server's tracking pipeline, spooling to a new temporary folder unless the settings name one.
    static func tracking(database: Database, settings: ServerSettings, logger: Logger) throws -> TrackingPipeline {
        try TrackingPipeline(
            database: database,
            directory: settings.trackingSpoolDirectory ?? (try HeraldCommand.temporaryDirectory().path + "/spool"),
            deduplicationWindow: settings.trackingDeduplicationWindow,
            metrics: ServiceMetrics(),
            logger: logger
        )
    }

    /// Runs a counting query on the server's database, once the tracking hits answered so far are stored.
    func count(_ query: PostgresQuery) async throws -> Int {
        guard await tracking.settle() else { throw TestServerError("tracking hits were not stored within a minute") }
        for try await value in try await database.client.query(query, logger: database.logger).decode(Int.self) { return value }
        return 0
    }
}
