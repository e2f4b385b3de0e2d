import AsyncHTTPClient
import EmbeddedPostgres
import Foundation
import Glibc
import HeraldCore
import Logging
import NIOCore
import NIOHTTP1
import Storage
import Synchronization

#if canImport(Glibc)
#endif

/// A Herald of its own for `herald bench faults`: a fresh `HERALD_HOME` whose embedded cluster the suite stops, kills
/// and starts, and real `herald serve` / `herald worker` processes of this same binary, on loopback.
struct FaultRig: Sendable {
    let home: URL
    let executable: String
    let cluster: EmbeddedCluster
    let logger: Logger
    let http: HTTPClient

    /// Makes the home (enterable by the `postgres` user: under the temporary folder), starts its cluster and creates
    /// Herald's database.
    static func make(logger: Logger) async throws -> FaultRig {
        let home = URL(fileURLWithPath: "/tmp/herald-faults-\(UUID().uuidString.prefix(8).lowercased())")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let cluster = EmbeddedCluster(directory: home.appendingPathComponent("pg"), binaries: try await PostgresBinaries.locate(), logger: logger)
        try await cluster.start()
        try await Database.createDatabaseIfMissing(try DatabaseConfiguration(url: try cluster.url(database: "herald")), logger: logger)
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(30))
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        // A tracking link's 302 is the answer measured: followed, it led to the campaign's destination (off this machine),
        // and every click of the outage scenario ended in a connect timeout after 5 s.
        configuration.redirectConfiguration = .disallow
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        return FaultRig(home: home, executable: try Self.executablePath(), cluster: cluster, logger: logger, http: http)
    }

    /// This binary, to run its `serve` and `worker` commands as children.
    static func executablePath() throws -> String {
        let link = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        guard FileManager.default.isExecutableFile(atPath: link) else {
            throw CommandFailure(message: "cannot find the herald binary to run its serve and worker commands (\(link))")
        }
        return link
    }

    /// The database's address now (the cluster may have moved).
    func databaseConfiguration(maximumConnections: Int = 20) throws -> DatabaseConfiguration {
        var configuration = try DatabaseConfiguration(url: try cluster.url(database: "herald"))
        configuration.maximumConnections = maximumConnections
        return configuration
    }

    /// The environment of every child: this home, quiet logs, every tracking hit counted.
    var environment: [String: String] {
        [
            "HERALD_HOME": home.path, "HERALD_LOG_LEVEL": "warning", "HERALD_TRACKING_DEDUP_SECONDS": "0",
            "HERALD_WORKSPACE": "default", "DATABASE_URL": "",
        ]
    }

    /// Starts `herald ARGUMENTS…` with the rig's environment.
    func start(_ arguments: [String], environment extra: [String: String] = [:]) throws -> RunningProcess {
        try ProcessRunner.start(executable, arguments, environment: environment.merging(extra) { $1 })
    }

    /// Starts `herald serve` on `port` (no worker unless asked) and waits until it answers `/healthz`.
    func serve(port: Int, worker: Bool = false, extra: [String] = []) async throws -> RunningProcess {
        let process = try start(["serve", "--port", "\(port)"] + (worker ? [] : ["--no-worker"]) + extra)
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline {
            if (try? await get("http://127.0.0.1:\(port)/healthz", timeout: .seconds(2))) != nil { return process }
            try await Task.sleep(for: .milliseconds(100))
        }
        process.signal(SIGKILL)
        let output = await process.wait()
        throw CommandFailure(message: "herald serve did not answer on port \(port) within 90 s: \(output.standardError.suffix(600))")
    }

    /// Starts `herald worker` (no scheduler) with a short poll.
    func worker(concurrency: Int = 20) throws -> RunningProcess {
        try start(["worker", "--no-scheduler", "--poll-ms", "200", "--concurrency", "\(concurrency)", "--grace", "5"])
    }

    /// Ends the server abruptly, as a power cut would (`pg_ctl stop -m immediate`: SIGQUIT to the postmaster).
    func crashDatabase() throws {
        let pidFile = cluster.dataDirectory.appendingPathComponent("postmaster.pid")
        let text = try String(contentsOf: pidFile, encoding: .utf8)
        guard let first = text.split(separator: "\n").first, let pid = pid_t(first.trimmingCharacters(in: .whitespaces)) else {
            throw CommandFailure(message: "no postmaster pid in \(pidFile.path)")
        }
        kill(pid, SIGQUIT)
    }

    /// Waits until the cluster no longer runs.
    func waitForDatabaseDown() async throws {
        for _ in 0..<200 {
            if case .running = try await cluster.status() {
                try await Task.sleep(for: .milliseconds(50))
            } else {
                return
            }
        }
    }

    /// One GET; its status and headers, or nil when no answer came.
    func get(_ url: String, headers: [(String, String)] = [], timeout: TimeAmount = .seconds(10)) async throws -> HTTPClientResponse? {
        var request = HTTPClientRequest(url: url)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        return await answer(to: request, timeout: timeout)
    }

    /// One POST of a JSON body; its status and headers, or nil when no answer came.
    func post(_ url: String, json: Data, token: String, timeout: TimeAmount = .seconds(10)) async -> HTTPClientResponse? {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: Array(json)))
        return await answer(to: request, timeout: timeout)
    }

    /// Sends `request` and reads its body; the response, or nil when no answer came.
    func answer(to request: HTTPClientRequest, timeout: TimeAmount) async -> HTTPClientResponse? {
        do {
            let response = try await http.execute(request, timeout: timeout)
            _ = try await response.body.collect(upTo: 1 << 20)
            return response
        } catch {
            return nil
        }
    }

    /// Waits for `process` to exit within `limit`; its status and how long it took, or nil (then it is killed).
    static func exit(of process: RunningProcess, within limit: Duration) async -> (status: Int32, seconds: Double)? {
        let start = ContinuousClock.now
        return await withTaskGroup(of: Int32?.self) { group in
            group.addTask { await process.wait().status }
            group.addTask {
                try? await Task.sleep(for: limit)
                return nil
            }
            let first = await group.next() ?? nil
            if first == nil {
                process.signal(SIGKILL)
                _ = await group.next()
            }
            group.cancelAll()
            return first.map { ($0, (ContinuousClock.now - start).seconds) }
        }
    }

    /// Resident memory of `pid` in MiB, from /proc.
    static func residentMiB(_ pid: pid_t) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return nil }
        let kilobytes = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
        return kilobytes / 1_024
    }

    /// Runs `body` on a pool of its own, made now: after a crash or an outage a fresh pool is the surest way to count
    /// what the database holds. Retried for a minute while the database is still coming back.
    func withFreshDatabase<T: Sendable>(_ body: (Database) async throws -> T) async throws -> T {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            do {
                return try await Database.withDatabase(try databaseConfiguration(maximumConnections: 4), logger: logger, body)
            } catch  where ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    /// Stops the children's cluster and removes the home.
    func tearDown() async {
        try? await http.shutdown()
        try? await cluster.stop()
        try? FileManager.default.removeItem(at: home)
    }
}
