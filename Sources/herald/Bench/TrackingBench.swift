import ArgumentParser
import AsyncHTTPClient
import EmbeddedPostgres
import Foundation
import HTTPAPI
import HeraldCore
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import PostgresNIO
import ServiceLifecycle
import Storage

#if canImport(Glibc)
import Glibc
#endif

/// `herald bench tracking`: redirects per second of `GET /r/{code}` on a real server on loopback, measured with wrk,
/// next to nginx answering a bare 302 in the same run; then every answered click is counted in the database.
struct TrackingBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracking",
        abstract: "Tracking redirects/s and p99 with wrk: herald's GET /r/{code} vs nginx answering a bare 302, and clicks stored.",
        discussion: """
            Needs wrk and nginx on PATH (or /usr/sbin/nginx): `apt-get install wrk nginx-light`. Runs in a database of \
            its own (herald_bench) on the embedded cluster or on DATABASE_URL's server. Each request comes from another \
            client (a User-Agent of its own), so every click counts through the 30 s deduplication window; the same wrk \
            script drives nginx. After the run the spool is drained and the stored clicks counted. Build with \
            -c release before quoting figures.
            """
    )

    @Option(help: "Seconds wrk runs against each server.") var seconds: Int = 10
    @Option(help: "Open connections wrk keeps.") var connections: Int = 64
    @Option(help: "wrk threads.") var threads: Int = 2

    func validate() throws {
        guard seconds >= 1, connections >= 1, threads >= 1, connections >= threads else {
            throw ArgumentParser.ValidationError("--seconds, --connections and --threads must be at least 1, and connections at least threads")
        }
    }

    /// What wrk measured.
    struct WrkFigures {
        var requestsPerSecond: Double
        var p99Milliseconds: Double
        var requests: Int
        var failed: Int
    }

    func run() async throws {
        var logger = Logger(label: "herald.bench")
        logger.logLevel = .error
        guard let wrk = PostgresBinaries.findOnPath("wrk") else {
            throw CommandFailure(message: "wrk is not installed: apt-get install wrk (or see https://github.com/wg/wrk)")
        }
        guard
            let nginx = PostgresBinaries.findOnPath("nginx")
                ?? (FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx") ? "/usr/sbin/nginx" : nil)
        else {
            throw CommandFailure(message: "nginx is not installed: apt-get install nginx-light")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herald-bench-tracking-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = folder.appendingPathComponent("clients.lua")
        try Self.script.write(to: script, atomically: true, encoding: .utf8)

        let nginxFigures = try await Self.measureNginx(nginx, wrk: wrk, script: script.path, folder: folder, options: self)

        let session = DatabaseSession(configuration: HeraldConfiguration(), logger: logger)
        var target = try await session.resolve().with(database: "herald_bench")
        target.maximumConnections = 8
        try await Database.createDatabaseIfMissing(target, logger: logger)
        let (herald, stored, spooled) = try await Database.withDatabase(target, logger: logger) { database in
            try await Migrator(migrations: try Migration.bundled()).migrate(database)
            try await BenchFixtures(database).emptyEventTables()
            return try await Self.measureHerald(database, wrk: wrk, script: script.path, folder: folder, options: self, logger: logger)
        }
        let ratio = herald.requestsPerSecond / max(nginxFigures.requestsPerSecond, 1)
        print("server                 redirects/s    p99 ms   answered   failed")
        for (name, figures) in [("nginx (bare 302)", nginxFigures), ("herald GET /r/{code}", herald)] {
            print(
                name.padding(toLength: 21, withPad: " ", startingAt: 0)
                    + String(
                        format: "  %11.0f  %8.2f  %9d  %7d",
                        figures.requestsPerSecond,
                        figures.p99Milliseconds,
                        figures.requests,
                        figures.failed
                    )
            )
        }
        print(
            String(
                format: "ratio %.3fx nginx; clicks stored %d of %d answered (%d spooled by the server, counting requests wrk cut off at the end)",
                ratio,
                stored,
                herald.requests,
                spooled
            )
        )
        let json: [String: any Encodable & Sendable] = [
            "bench": "tracking", "herald_rps": herald.requestsPerSecond.rounded(), "herald_p99_ms": (herald.p99Milliseconds * 100).rounded() / 100,
            "nginx_rps": nginxFigures.requestsPerSecond.rounded(), "nginx_p99_ms": (nginxFigures.p99Milliseconds * 100).rounded() / 100,
            "ratio": (ratio * 1000).rounded() / 1000, "answered": herald.requests, "stored": stored, "spooled": spooled,
            "seconds": seconds, "connections": connections,
        ]
        print(try Terminal.json(json.mapValues { AnyEncodable($0) }, pretty: false))
    }

    /// wrk's Lua script: each request with a User-Agent of its own (thread number and count), so each is another client.
    static let script = """
        local threads = 0
        function setup(thread)
            thread:set("tid", threads)
            threads = threads + 1
        end
        local n = 0
        function request()
            n = n + 1
            return wrk.format("GET", nil, {["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0 c" .. tid .. "-" .. n})
        end
        """

    /// nginx answering every request with a bare 302, measured by wrk.
    static func measureNginx(_ nginx: String, wrk: String, script: String, folder: URL, options: TrackingBench) async throws -> WrkFigures {
        let port = try FreePort.find()
        let prefix = folder.appendingPathComponent("nginx")
        try FileManager.default.createDirectory(at: prefix, withIntermediateDirectories: true)
        let configuration = """
            worker_processes auto;
            daemon off;
            pid \(prefix.path)/nginx.pid;
            error_log \(prefix.path)/error.log warn;
            events { worker_connections 4096; }
            http {
                access_log off;
                client_body_temp_path \(prefix.path)/body;
                server {
                    listen 127.0.0.1:\(port);
                    location / { return 302 https://example.com/shoes; }
                }
            }
            """
        try configuration.write(to: prefix.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
        let server = try ProcessRunner.start(
            nginx,
            ["-p", prefix.path + "/", "-c", prefix.appendingPathComponent("nginx.conf").path, "-e", prefix.path + "/error.log"]
        )
        defer {
            server.signal(SIGQUIT)
        }
        for _ in 0..<200 where !FreePort.isAccepting(port) { try await Task.sleep(for: .milliseconds(25)) }
        guard FreePort.isAccepting(port) else {
            server.signal(SIGKILL)
            throw CommandFailure(
                message: "nginx did not start: \((try? String(contentsOf: prefix.appendingPathComponent("error.log"), encoding: .utf8)) ?? "")"
            )
        }
        let figures = try await runWrk(wrk, url: "http://127.0.0.1:\(port)/r/bench", script: script, options: options)
        server.signal(SIGQUIT)
        _ = await server.wait()
        return figures
    }

    /// Herald's server on a free loopback port, with one campaign and publication; wrk clicks its tracking link.
    ///
    /// - Returns: wrk's figures, the clicks stored once the spool is drained, and the hits the server spooled.
    static func measureHerald(
        _ database: Database,
        wrk: String,
        script: String,
        folder: URL,
        options: TrackingBench,
        logger: Logger
    ) async throws -> (WrkFigures, Int, Int) {
        let settings = ServerSettings(host: "127.0.0.1", port: 0, trackingSpoolDirectory: folder.appendingPathComponent("spool").path)
        let metrics = ServiceMetrics()
        let tracking = try TrackingPipeline(
            database: database,
            directory: settings.trackingSpoolDirectory,
            deduplicationWindow: settings.trackingDeduplicationWindow,
            metrics: metrics,
            logger: logger
        )
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let application = HeraldServer.buildApplication(database: database, settings: settings, metrics: metrics, tracking: tracking, logger: logger)
        {
            continuation.yield($0)
        }
        let services = ServiceGroup(configuration: .init(services: [application], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CommandFailure(message: "the server did not start") }
            do {
                let workspace = try await WorkspaceStore(database).ensure(slug: "bench-tracking")
                let token = try await TokenStore(database).create(workspace: workspace, role: .editor).secret
                let code = try await trackingCode(port: port, token: token)
                // One click first, so the link is known and the day's salt made, as on a server that has run a while.
                _ = try await send("http://127.0.0.1:\(port)/r/\(code)", token: nil, body: nil)
                guard await tracking.settle() else { throw CommandFailure(message: "the first click was not stored within a minute") }
                let before = try await storedClicks(database)
                let spooledBefore = tracking.spool.appended
                let figures = try await runWrk(wrk, url: "http://127.0.0.1:\(port)/r/\(code)", script: script, options: options)
                guard await tracking.settle(timeout: .seconds(300)) else {
                    throw CommandFailure(message: "the spooled clicks were not stored within five minutes (\(tracking.spool.waiting) waiting)")
                }
                let stored = try await storedClicks(database) - before
                let spooled = tracking.spool.appended - spooledBefore
                await services.triggerGracefulShutdown()
                try await group.waitForAll()
                return (figures, stored, spooled)
            } catch {
                await services.triggerGracefulShutdown()
                throw error
            }
        }
    }

    /// Makes a campaign with a destination and one publication through the API; returns its tracking code.
    static func trackingCode(port: Int, token: String) async throws -> String {
        let base = "http://127.0.0.1:\(port)"
        // A campaign of its own per run (the bench database keeps earlier runs' campaigns).
        let slug = "tracking-bench-\(UUID().uuidString.prefix(8).lowercased())"
        let (campaignStatus, campaignBody) = try await send(
            "\(base)/v1/campaigns",
            token: token,
            body:
                #"{"name": "Tracking bench", "slug": "\#(slug)", "channels": ["x"], "destination": "https://example.com/shoes", "variants": [{"text": "a"}, {"text": "b"}]}"#
        )
        guard campaignStatus == 201 else {
            throw CommandFailure(message: "creating the bench campaign answered \(campaignStatus): \(campaignBody)")
        }
        let (status, body) = try await send("\(base)/v1/campaigns/\(slug)/publications", token: token, body: #"{"variant": "A", "channel": "x"}"#)
        guard status == 201, let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
            let code = object["tracking_code"] as? String
        else { throw CommandFailure(message: "creating the bench publication answered \(status): \(body)") }
        return code
    }

    /// A POST with a JSON body (a GET without one) that does not follow redirects.
    static func send(_ url: String, token: String?, body: String?) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: url)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.headers.add(name: "User-Agent", value: "Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0")
        if let body {
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        defer { _ = client.shutdown() }
        let response = try await client.execute(request, timeout: .seconds(30))
        let collected = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: collected))
    }

    /// Clicks stored in the bench database.
    static func storedClicks(_ database: Database) async throws -> Int {
        try await BenchFixtures(database).events(of: .click)
    }

    /// Runs wrk against `url` and reads its figures.
    static func runWrk(_ wrk: String, url: String, script: String, options: TrackingBench) async throws -> WrkFigures {
        let output = try await ProcessRunner.run(
            wrk,
            ["-t", String(options.threads), "-c", String(options.connections), "-d", "\(options.seconds)s", "--latency", "-s", script, url]
        )
        guard output.succeeded else { throw CommandFailure(message: "wrk failed: \(output.standardError)") }
        return try parseWrk(output.standardOutput)
    }

    /// Reads requests/s, the 99th percentile of latency, the requests and the failed ones (non-2xx/3xx answers and
    /// socket errors) from wrk's report.
    static func parseWrk(_ text: String) throws -> WrkFigures {
        var figures = WrkFigures(requestsPerSecond: 0, p99Milliseconds: 0, requests: 0, failed: 0)
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if line.hasPrefix("Requests/sec:"), let value = fields.last.flatMap({ Double($0) }) {
                figures.requestsPerSecond = value
            } else if fields.first == "99%", fields.count >= 2 {
                figures.p99Milliseconds = milliseconds(String(fields[1]))
            } else if fields.count >= 3, fields[1] == "requests", fields[2] == "in", let count = Int(fields[0]) {
                figures.requests = count
            } else if line.contains("Non-2xx or 3xx responses:"), let count = fields.last.flatMap({ Int($0) }) {
                figures.failed += count
            } else if line.contains("Socket errors:") {
                // "Socket errors: connect 0, read 0, write 0, timeout 0"
                figures.failed += fields.compactMap { Int($0.trimmingCharacters(in: .punctuationCharacters)) }.reduce(0, +)
            }
        }
        guard figures.requestsPerSecond > 0 else { throw CommandFailure(message: "could not read wrk's report:\n\(text)") }
        figures.requests -= figures.failed
        return figures
    }

    /// A wrk duration (`812.00us`, `3.45ms`, `1.20s`) in milliseconds.
    static func milliseconds(_ text: String) -> Double {
        for (suffix, scale) in [("us", 0.001), ("ms", 1.0), ("s", 1_000.0), ("m", 60_000.0)] where text.hasSuffix(suffix) {
            return (Double(text.dropLast(suffix.count)) ?? 0) * scale
        }
        return Double(text) ?? 0
    }
}
