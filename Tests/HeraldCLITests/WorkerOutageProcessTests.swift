import Foundation
import HeraldTestSupport
import PostgresNIO
import Testing

@testable import EmbeddedPostgres
@testable import Storage

#if canImport(Glibc)
import Glibc
#endif

/// A real `herald worker` on a cluster of its own that the test stops and starts: the worker rides out an outage
/// (logged once at its start and once at its end), resumes by itself, and SIGTERM during an outage ends it within its
/// grace period with status 0.
struct WorkerOutageProcessTests {
    /// The stopped cluster started again on the same port (the worker keeps its address).
    func restart(_ cluster: EmbeddedCluster, port: Int) async throws {
        let output = try await cluster.runServerProgram(
            "pg_ctl",
            [
                "start", "-D", cluster.dataDirectory.path, "-l", cluster.logFile.path, "-w", "-t", "60",
                "-o", "-p \(port) -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c fsync=off",
            ]
        )
        #expect(output.succeeded, "\(output.standardError)")
    }

    func count(_ database: DatabaseConfiguration, _ sql: PostgresQuery) async throws -> Int {
        try await Database.withDatabase(database, logger: TestDatabase.logger) { database in
            for try await value in try await database.client.query(sql, logger: database.logger).decode(Int.self) { return value }
            return -1
        }
    }

    /// Occurrences of `text` in what `process` wrote to stderr so far.
    func occurrences(of text: String, in process: RunningProcess) -> Int {
        let log = (try? String(contentsOf: process.scratch.appendingPathComponent("stderr"), encoding: .utf8)) ?? ""
        return log.components(separatedBy: text).count - 1
    }

    @Test func workerRidesOutAnOutageLogsItOnceAndExitsWithinGraceOnSigtermDuringOne() async throws {
        let folder = try HeraldCommand.temporaryDirectory()
        let cluster = EmbeddedCluster(
            directory: folder.appendingPathComponent("pg"),
            binaries: try await PostgresBinaries.locate(),
            options: .init(unsafeFastWrites: true, maxConnections: 50),
            logger: TestDatabase.logger
        )
        let port = try await cluster.start().port
        do {
            try await rideOutAnOutage(cluster, port: port, folder: folder)
        } catch {
            try? await cluster.stop()
            throw error
        }
        try await cluster.stop()
    }

    func rideOutAnOutage(_ cluster: EmbeddedCluster, port: Int, folder: URL) async throws {
        let database = try DatabaseConfiguration(url: try cluster.url(database: "postgres"))
        var environment = ["DATABASE_URL": database.url, "HERALD_LOG_LEVEL": "info"]
        environment["HERALD_HOME"] = folder.appendingPathComponent("home").path
        let down = "database unavailable: worker waits"
        let back = "database reachable again: worker resumes"

        let first = try await HeraldCommand.run(["jobs", "enqueue", "probe", "--count", "20"], environment: environment)
        #expect(first.succeeded, "\(first.standardError)")
        let worker = try HeraldCommand.start(
            ["worker", "--no-scheduler", "--grace", "2", "--poll-ms", "100", "--lease", "3600"],
            environment: environment
        )
        #expect(try await waitUntil { try await count(database, "SELECT count(*)::int FROM job_probes") == 20 })

        // An outage: the worker notices and says so once, however often it retries meanwhile.
        try await cluster.stop()
        #expect(try await waitUntil { occurrences(of: down, in: worker) == 1 })
        try await restart(cluster, port: port)
        // Back by itself: it says so once and runs new jobs.
        #expect(try await waitUntil { occurrences(of: back, in: worker) == 1 })
        let second = try await HeraldCommand.run(["jobs", "enqueue", "probe", "--count", "20"], environment: environment)
        #expect(second.succeeded, "\(second.standardError)")
        #expect(try await waitUntil { try await count(database, "SELECT count(*)::int FROM job_probes") == 40 })

        // SIGTERM during a second outage: it ends within its grace period (2 s; the bound below only catches a hang).
        try await cluster.stop()
        #expect(try await waitUntil { occurrences(of: down, in: worker) == 2 })
        let signalled = ContinuousClock.now
        worker.signal(SIGTERM)
        let output = await worker.wait()
        let stoppedAfter = ContinuousClock.now - signalled
        print("worker stopped \(stoppedAfter) after SIGTERM during an outage (grace 2 s)")
        #expect(output.status == 0, "\(output.standardError)")
        #expect(stoppedAfter < .seconds(30))
        #expect(output.standardError.components(separatedBy: down).count - 1 == 2, "\(output.standardError)")
        #expect(output.standardError.components(separatedBy: back).count - 1 == 1, "\(output.standardError)")
        #expect(!output.standardError.contains("claim failed"), "\(output.standardError)")
    }
}
