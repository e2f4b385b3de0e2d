import AsyncHTTPClient
import EmbeddedPostgres
import Foundation
import HeraldTestSupport
import NIOCore
import NIOHTTP1
import PostgresNIO
import Synchronization
import Testing

@testable import Storage

#if canImport(Glibc)
import Glibc
#endif

/// Tracking links of a real `herald serve` process: answered whatever the database's state, and no answered hit lost
/// when the database is down or the server is killed.
@Suite struct TrackingSpoolServeTests {
    static let browser = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"

    /// A client that does not follow redirects.
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    static func send(
        _ url: String,
        method: HTTPMethod = .GET,
        token: String? = nil,
        body: String? = nil,
        headers: [(String, String)] = []
    ) async throws -> (status: Int, body: String, headers: HTTPHeaders) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await client.execute(request, timeout: .seconds(30))
        let collected = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: collected), response.headers)
    }

    /// Starts `herald serve` and waits until it answers `/healthz`.
    static func serve(_ arguments: [String], environment: [String: String], folder: URL) async throws -> (RunningProcess, String) {
        let serving = try await HeraldCommand.serve(["--no-worker"] + arguments, environment: environment, workingDirectory: folder)
        let server = serving.process
        let base = serving.base
        for _ in 0..<1_200 {
            if (try? await send("\(base)/healthz").status) == 200 { return (server, base) }
            try await Task.sleep(for: .milliseconds(100))
        }
        server.signal(SIGKILL)
        throw TestFailure("herald serve did not answer /healthz: \(await server.wait().standardError)")
    }

    /// Creates a campaign and a publication through the API; returns the publication's tracking code.
    static func trackingCode(base: String, token: String) async throws -> String {
        let campaign = try await send(
            "\(base)/v1/campaigns",
            method: .POST,
            token: token,
            body:
                #"{"name": "Spooled", "slug": "spooled", "channels": ["x"], "destination": "https://example.com/shoes", "variants": [{"text": "a"}, {"text": "b"}]}"#
        )
        guard campaign.status == 201 else { throw TestFailure("creating the campaign answered \(campaign.status): \(campaign.body)") }
        let publication = try await send(
            "\(base)/v1/campaigns/spooled/publications",
            method: .POST,
            token: token,
            body: #"{"variant": "A", "channel": "x"}"#
        )
        guard publication.status == 201,
            let object = try JSONSerialization.jsonObject(with: Data(publication.body.utf8)) as? [String: Any],
            let code = object["tracking_code"] as? String
        else { throw TestFailure("creating the publication answered \(publication.status): \(publication.body)") }
        return code
    }

    /// A count on `database`, waiting (up to two minutes) until `done` holds for it; returns the last count.
    static func count(_ query: PostgresQuery, in database: DatabaseConfiguration, until done: (Int) -> Bool) async throws -> Int {
        var last = -1
        for _ in 0..<1_200 {
            last =
                (try? await Database.withDatabase(database, logger: TestDatabase.logger) { database in
                    for try await value in try await database.client.query(query, logger: database.logger).decode(Int.self) { return value }
                    return 0
                }) ?? -1
            if done(last) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        return last
    }

    /// The lines in the spool files of a folder.
    static func spooledLines(in folder: URL) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".spool") }.reduce(0) { total, name in
            let text = (try? String(contentsOfFile: folder.appendingPathComponent(name).path, encoding: .utf8)) ?? ""
            return total + text.split(separator: "\n").count
        }
    }

    @Test func aServerKilledUnderClicksLosesNoAnsweredClick() async throws {
        let fixture = try await CLIFixture.make()
        let token = try await fixture.run("tokens", "create", "--role", "editor").standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        let home = fixture.folder.appendingPathComponent("home")
        let environment = ["DATABASE_URL": fixture.database.url, "HERALD_HOME": home.path, "HERALD_LOG_LEVEL": "error"]
        // Every click counts (no deduplication), so each answered click must become one stored click.
        let (first, base) = try await Self.serve(["--tracking-dedup-seconds", "0"], environment: environment, folder: fixture.folder)
        let code = try await Self.trackingCode(base: base, token: token)

        let counters = Counters()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    while true {
                        counters.sent.add(1, ordering: .relaxed)
                        guard let reply = try? await Self.send("\(base)/r/\(code)", headers: [("User-Agent", Self.browser)]) else { return }
                        guard reply.status == 302 else { throw TestFailure("a click answered \(reply.status): \(reply.body)") }
                        counters.answered.add(1, ordering: .relaxed)
                    }
                }
            }
            // Killed while clicks are in flight, some stored and some still in the spool.
            while counters.answered.load(ordering: .relaxed) < 400 { try await Task.sleep(for: .milliseconds(10)) }
            first.signal(SIGKILL)
            _ = await first.wait()
            try await group.waitForAll()
        }
        let (answeredClicks, sentClicks) = (counters.answered.load(ordering: .relaxed), counters.sent.load(ordering: .relaxed))
        #expect(answeredClicks >= 400)

        // The next server on the same HERALD_HOME replays the dead one's spool.
        let (second, _) = try await Self.serve([], environment: environment, folder: fixture.folder)
        let stored = try await Self.count("SELECT count(*)::int FROM events WHERE kind = 'click'", in: fixture.database) { $0 >= answeredClicks }
        #expect(stored >= answeredClicks, "answered \(answeredClicks) clicks, stored \(stored)")
        // A click cut off by the kill may have been spooled without its answer arriving; none is stored twice.
        #expect(stored <= sentClicks)
        let distinct = try await Self.count("SELECT count(DISTINCT id)::int FROM events", in: fixture.database) { _ in true }
        #expect(distinct == stored)
        // The dead server's spool file is gone once replayed.
        var left = Self.spooledLines(in: home.appendingPathComponent("spool"))
        for _ in 0..<300 where left > 0 {
            try await Task.sleep(for: .milliseconds(100))
            left = Self.spooledLines(in: home.appendingPathComponent("spool"))
        }
        #expect(left == 0)
        second.signal(SIGTERM)
        #expect(await second.wait().status == 0)
    }

    @Test func duringAnOutageLinksRedirectAndTheirHitsArriveAfterwards() async throws {
        let folder = try HeraldCommand.temporaryDirectory()
        let cluster = EmbeddedCluster(
            directory: folder.appendingPathComponent("cluster"),
            binaries: try await PostgresBinaries.locate(),
            options: .init(unsafeFastWrites: true),
            logger: TestDatabase.logger
        )
        let credentials = try await cluster.start()
        let database = try DatabaseConfiguration(url: try cluster.url(database: "postgres"), maximumConnections: 2)
        let home = folder.appendingPathComponent("home")
        let environment = ["DATABASE_URL": database.url, "HERALD_HOME": home.path, "HERALD_LOG_LEVEL": "error"]
        do {
            #expect(try await HeraldCommand.run(["db", "migrate"], environment: environment, workingDirectory: folder).succeeded)
            let token = try await HeraldCommand.run(["tokens", "create", "--role", "editor"], environment: environment, workingDirectory: folder)
                .standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
            let (server, base) = try await Self.serve(
                ["--tracking-dedup-seconds", "3600", "--trusted-proxy", "127.0.0.1"],
                environment: environment,
                folder: folder
            )
            let code = try await Self.trackingCode(base: base, token: token)
            #expect(try await Self.send("\(base)/r/\(code)", headers: [("User-Agent", Self.browser), ("X-Forwarded-For", "10.0.0.1")]).status == 302)
            #expect(try await Self.count("SELECT count(*)::int FROM events", in: database) { $0 == 1 } == 1)
            // A second publication made after the server started and never clicked before the outage: its link is
            // loaded ahead (and saved with the known links), so its first click during the outage still redirects.
            let unclicked = try await Self.send(
                "\(base)/v1/campaigns/spooled/publications",
                method: .POST,
                token: token,
                body: #"{"variant": "B", "channel": "x"}"#
            )
            let second = try #require(
                (try JSONSerialization.jsonObject(with: Data(unclicked.body.utf8)) as? [String: Any])?["tracking_code"] as? String
            )
            let links = home.appendingPathComponent("spool/links.json")
            for _ in 0..<600 {
                if let saved = try? String(contentsOf: links, encoding: .utf8), saved.contains(second) { break }
                try await Task.sleep(for: .milliseconds(100))
            }

            try await cluster.stop()
            let first = try await Self.send("\(base)/r/\(second)", headers: [("User-Agent", Self.browser), ("X-Forwarded-For", "10.3.0.1")])
            #expect(first.status == 302, "a link never clicked on this server answered \(first.status) during the outage")
            #expect(first.headers.first(name: "Location")?.hasPrefix("https://example.com/shoes") == true)
            // Twenty people click twice each (the second click within the window), a crawler once, and a mail opens.
            for person in 1...20 {
                for _ in 0..<2 {
                    let click = try await Self.send(
                        "\(base)/r/\(code)",
                        headers: [("User-Agent", Self.browser), ("X-Forwarded-For", "10.1.0.\(person)")]
                    )
                    #expect(click.status == 302)
                    #expect(click.headers.first(name: "Location")?.hasPrefix("https://example.com/shoes") == true)
                }
            }
            let crawler = try await Self.send("\(base)/r/\(code)", headers: [("User-Agent", "Googlebot/2.1 (+http://www.google.com/bot.html)")])
            #expect(crawler.status == 302)
            let pixel = try await Self.send("\(base)/p/\(code).gif", headers: [("User-Agent", Self.browser), ("X-Forwarded-For", "10.2.0.1")])
            #expect(pixel.status == 200)
            #expect(pixel.body.utf8.count == 43 || pixel.headers.first(name: "Content-Type") == "image/gif")
            // Every hit waits in the spool file (the database is down).
            #expect(Self.spooledLines(in: home.appendingPathComponent("spool")) >= 42)

            try await Self.start(cluster, port: credentials.port)
            let events = try await Self.count("SELECT count(*)::int FROM events", in: database) { $0 >= 24 }
            #expect(events == 24, "1 click before, 20 people's clicks, a crawler's, an open, the unclicked link's first click")
            #expect(try await Self.count("SELECT count(*)::int FROM events WHERE is_bot", in: database) { _ in true } == 1)
            #expect(try await Self.count("SELECT count(*)::int FROM events WHERE kind = 'click' AND NOT is_bot", in: database) { _ in true } == 22)
            #expect(try await Self.count("SELECT coalesce(sum(count), 0)::int FROM variant_hourly", in: database) { $0 == 23 } == 23)
            server.signal(SIGTERM)
            #expect(await server.wait().status == 0)
        } catch {
            try? await cluster.stop()
            throw error
        }
        try await cluster.stop()
    }

    /// Starts a stopped cluster again on the same port (as the operator's `pg_ctl start` would; PostgreSQL binds with
    /// SO_REUSEADDR, so the port is free again at once).
    static func start(_ cluster: EmbeddedCluster, port: Int) async throws {
        let pgCtl = try await PostgresBinaries.locate().path(of: "pg_ctl")
        let arguments = [
            "start", "-D", cluster.dataDirectory.path, "-l", cluster.dataDirectory.appendingPathComponent("restart.log").path, "-w", "-t", "60",
            "-o", "-p \(port) -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c fsync=off",
        ]
        let output =
            getuid() == 0
            ? try await ProcessRunner.run(
                "/usr/sbin/runuser",
                ["-u", "postgres", "--", pgCtl] + arguments,
                workingDirectory: URL(fileURLWithPath: "/")
            )
            : try await ProcessRunner.run(pgCtl, arguments)
        guard output.succeeded else { throw TestFailure("pg_ctl start failed: \(output.standardError)") }
    }

    /// Clicks sent and answered, shared by the clicking tasks.
    final class Counters: Sendable {
        let answered = Atomic<Int>(0)
        let sent = Atomic<Int>(0)
    }

    struct TestFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
