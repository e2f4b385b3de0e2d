import EmbeddedPostgres
import Foundation
import Logging
import PostgresNIO
import Storage
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Real PostgreSQL databases for tests: one throwaway cluster per test process, a template
/// database migrated once, and a fresh database per test cloned from it.
///
/// With `HERALD_TEST_DATABASE_URL` set, that server is used instead of a throwaway cluster
/// (its role must be allowed to create databases).
public enum TestDatabase {
    /// A logger for tests: warnings and worse, to standard error.
    public static let logger: Logger = {
        var logger = Logger(label: "herald.test")
        logger.logLevel = .warning
        return logger
    }()

    /// Creates a database of its own for one test and returns how to reach it.
    ///
    /// - Parameter migrated: Clone the migrated template (the default), or start from an empty database.
    public static func fresh(migrated: Bool = true) async throws -> DatabaseConfiguration {
        let template = try await TemplateHolder.shared.template()
        let name = "herald_t_\(getpid())_\(counter.add(1, ordering: .relaxed).newValue)"
        let source = migrated ? template.database : "template0"
        // A suite starts a couple of hundred tests at once: each making its database with a pool of its own would
        // open hundreds of connections to the server's `postgres` database together (beyond max_connections) while
        // the copies queue inside the server anyway.
        try await creations.run {
            try await Database.withDatabase(template.with(database: "postgres"), logger: logger) { database in
                // Right after the template is made, its last connection can still be ending on a loaded machine
                // ("source database is being accessed by other users", 55006, after the server's own 5 s wait): the
                // copy is tried again for up to a minute.
                var attempt = 0
                while true {
                    do {
                        try await database.createDatabase(named: name, template: source)
                        return
                    } catch  where StorageError.sqlState(error) == "55006" && attempt < 60 {
                        attempt += 1
                        // Nothing of the tests connects to the template; what does is the server's own (autovacuum
                        // workers, which CREATE DATABASE stops only for 5 s while new ones keep coming on a loaded
                        // machine, or a migration's last connection still ending): those are ended and named.
                        let ended = try await database.endSessions(on: source)
                        logger.warning(
                            "the template database is still in use; copying it again",
                            metadata: ["herald.test.attempt": "\(attempt)", "herald.test.ended": "\(ended)"]
                        )
                        try await Task.sleep(for: .milliseconds(200))
                    }
                }
            }
        }
        return template.with(database: name)
    }

    /// At most this many databases are being made at once.
    private static let creations = TestGate(width: 4)

    /// Runs `body` with a fresh database of its own (migrated unless `migrated` is false).
    public static func withFreshDatabase<Result: Sendable>(
        migrated: Bool = true,
        _ body: (Database) async throws -> Result
    ) async throws -> Result {
        let configuration = try await fresh(migrated: migrated)
        return try await Database.withDatabase(configuration, logger: logger, body)
    }

    private static let counter = Atomic<Int>(0)
}

/// Starts the cluster and builds the template once per process.
actor TemplateHolder {
    static let shared = TemplateHolder()
    private var task: Task<DatabaseConfiguration, any Error>?

    func template() async throws -> DatabaseConfiguration {
        if let task { return try await task.value }
        let task = Task { try await Self.makeTemplate() }
        self.task = task
        return try await task.value
    }

    private static func makeTemplate() async throws -> DatabaseConfiguration {
        let logger = TestDatabase.logger
        var server: DatabaseConfiguration
        if let url = ProcessInfo.processInfo.environment["HERALD_TEST_DATABASE_URL"], !url.isEmpty {
            server = try DatabaseConfiguration(url: url, maximumConnections: 4)
        } else {
            server = try await ThrowawayCluster.start(logger: logger)
        }
        // The whole suite on a loaded 2-core machine can take seconds to connect while the server is fine: a probe that
        // times out is believed only after long without success (outage tests stop their own cluster: refusals count at
        // once). Child processes get it through the URL.
        server.connectDeadline = .seconds(10)
        let template = server.with(database: "herald_template_\(getpid())")
        try await Database.withDatabase(server.with(database: "postgres"), logger: logger) { database in
            try await database.dropDatabaseIfExists(named: template.database)
            try await database.createDatabase(named: template.database)
        }
        _ = try await Database.withDatabase(template, logger: logger) { database in
            try await Migrator(migrations: try Migration.bundled()).migrate(database)
            // Vacuumed and analysed now, the template gives autovacuum no reason to visit it while it is copied.
            try await database.vacuumFreezeAnalyze()
        }
        return template
    }
}

/// A PostgreSQL cluster in a temporary folder, stopped and removed when the test process exits.
public enum ThrowawayCluster {
    private static let directories = Mutex<[String]>([])

    /// Creates and starts a cluster tuned for tests (no fsync); returns the server's `postgres` database.
    public static func start(logger: Logger) async throws -> DatabaseConfiguration {
        removeStaleClusters()
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("herald-test-\(getpid())-\(UUID().uuidString.prefix(8))")
        directories.withLock { $0.append(directory.path) }
        if directories.withLock({ $0.count }) == 1 { atexit { ThrowawayCluster.stopAll() } }
        let cluster = EmbeddedCluster(
            directory: directory,
            binaries: try await PostgresBinaries.locate(),
            // A full run opens several hundred connections at its peak (a pool per test database, and the servers, workers
            // and pg_dump of the CLI tests); each slot costs the server a few kilobytes of shared memory.
            options: .init(unsafeFastWrites: true, maxConnections: 1_000),
            logger: logger
        )
        try await cluster.start()
        return try DatabaseConfiguration(url: try cluster.url(database: "postgres"), maximumConnections: 4)
    }

    /// Stops the clusters this process started and removes their folders (runs at exit).
    static func stopAll() {
        for path in directories.withLock({ $0 }) { stopAndRemove(path) }
    }

    /// Removes clusters left by test processes that died without cleaning up.
    static func removeStaleClusters() {
        let temporary = FileManager.default.temporaryDirectory
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? []
        for name in names where name.hasPrefix("herald-test-") {
            let parts = name.split(separator: "-")
            guard parts.count >= 3, let pid = Int32(parts[2]), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                stopAndRemove(temporary.appendingPathComponent(name).path)
            }
        }
    }

    private static func stopAndRemove(_ path: String) {
        let data = path + "/data"
        if FileManager.default.fileExists(atPath: data + "/postmaster.pid"),
            let binaries = try? locateSynchronously()
        {
            let process = Process()
            let pgCtl = binaries + "/pg_ctl"
            if getuid() == 0 {
                process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
                process.arguments = ["-u", "postgres", "--", pgCtl, "stop", "-D", data, "-m", "immediate", "-w"]
            } else {
                process.executableURL = URL(fileURLWithPath: pgCtl)
                process.arguments = ["stop", "-D", data, "-m", "immediate", "-w"]
            }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            process.currentDirectoryURL = URL(fileURLWithPath: "/")
            // At exit there is no async context left: a blocking wait is what we want here.
            if (try? process.run()) != nil { process.waitUntilExit() }
        }
        try? FileManager.default.removeItem(atPath: path)
    }

    /// The server programs' folder, found without async (for the exit handler).
    private static func locateSynchronously() throws -> String {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
            let directory = "/usr/lib/postgresql/\(version)/bin"
            if FileManager.default.isExecutableFile(atPath: directory + "/pg_ctl") { return directory }
        }
        for entry in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            if FileManager.default.isExecutableFile(atPath: "\(entry)/pg_ctl") { return String(entry) }
        }
        throw CocoaError(.fileNoSuchFile)
    }
}
