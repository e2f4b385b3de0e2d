import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// A PostgreSQL cluster that Herald creates and runs itself, on loopback, under one folder.
///
/// Layout of ``directory``:
/// - `data/`: the cluster (`PGDATA`), owned by the `postgres` system user when Herald runs as root;
/// - `cluster.json`: port, role and password, readable only by the user running Herald;
/// - `server.log`: the server's log.
///
/// Servers refuse to run as root, so when the current uid is 0 every server program runs
/// as the `postgres` system user through `runuser`.
public struct EmbeddedCluster: Sendable {
    /// How the cluster runs.
    public struct Options: Sendable {
        /// Turn off durability (fsync, synchronous commit, full page writes) for throwaway test clusters.
        public var unsafeFastWrites: Bool
        /// The server's `max_connections`.
        public var maxConnections: Int

        /// - Parameters:
        ///   - unsafeFastWrites: Trade durability for speed; only for clusters whose data can be lost.
        ///   - maxConnections: The server's connection limit.
        public init(unsafeFastWrites: Bool = false, maxConnections: Int = 100) {
            self.unsafeFastWrites = unsafeFastWrites
            self.maxConnections = maxConnections
        }
    }

    /// What the cluster is doing now.
    public enum Status: Sendable, Equatable {
        /// There is no cluster in the folder yet.
        case notInitialized
        /// The cluster exists but no server runs.
        case stopped
        /// A server runs and listens on `port`.
        case running(port: Int)
    }

    /// The role, password and port that clients use; stored in `cluster.json`.
    public struct Credentials: Codable, Sendable, Equatable {
        public var user: String
        public var password: String
        public var port: Int
    }

    /// The folder that holds the cluster.
    public let directory: URL
    /// How the server runs.
    public let options: Options
    let binaries: PostgresBinaries
    let logger: Logger

    /// The cluster's data folder (`PGDATA`).
    public var dataDirectory: URL { directory.appendingPathComponent("data") }
    var credentialsFile: URL { directory.appendingPathComponent("cluster.json") }
    var logFile: URL { directory.appendingPathComponent("server.log") }

    /// - Parameters:
    ///   - directory: The folder for the cluster; created when missing.
    ///   - binaries: The server programs to use.
    ///   - options: How the server runs.
    ///   - logger: Where progress is logged.
    public init(directory: URL, binaries: PostgresBinaries, options: Options = .init(), logger: Logger) {
        self.directory = directory
        self.binaries = binaries
        self.options = options
        self.logger = logger
    }

    /// Whether the server programs run as another user (`postgres`), because we are root.
    static var runsAsPostgresUser: Bool { getuid() == 0 }

    // MARK: - Status

    /// Reports whether the cluster exists and whether its server runs.
    public func status() async throws -> Status {
        guard FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path) else {
            return .notInitialized
        }
        let output = try await runServerProgram("pg_ctl", ["status", "-D", dataDirectory.path])
        guard output.succeeded else { return .stopped }
        let credentials = try readCredentials()
        return .running(port: runningPort() ?? credentials.port)
    }

    /// The port in `postmaster.pid` (line 4) of the running server, if any.
    func runningPort() -> Int? {
        guard let pid = try? String(contentsOf: dataDirectory.appendingPathComponent("postmaster.pid"), encoding: .utf8)
        else { return nil }
        let lines = pid.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count > 3 else { return nil }
        return Int(lines[3].trimmingCharacters(in: .whitespaces))
    }

    // MARK: - Initialize

    /// Creates the cluster (`initdb`) with a `herald` superuser and a random password, unless it exists.
    public func initializeIfNeeded() async throws {
        if FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path) { return }
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
        // The server user must be able to reach its data folder through this one.
        try fileManager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
        if fileManager.fileExists(atPath: dataDirectory.path) {
            try fileManager.removeItem(at: dataDirectory)
        }
        try fileManager.createDirectory(at: dataDirectory, withIntermediateDirectories: false)
        try fileManager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: dataDirectory.path)

        let credentials = Credentials(user: "herald", password: Self.randomPassword(), port: try FreePort.find())
        let passwordFile = directory.appendingPathComponent(".pwfile-\(UUID().uuidString)")
        try Data((credentials.password + "\n").utf8).write(to: passwordFile)
        defer { try? fileManager.removeItem(at: passwordFile) }
        try fileManager.setAttributes([.posixPermissions: 0o600], ofItemAtPath: passwordFile.path)
        fileManager.createFile(atPath: logFile.path, contents: nil)
        if Self.runsAsPostgresUser {
            try checkReachableByPostgres()
            try chownToPostgres([dataDirectory.path, passwordFile.path, logFile.path])
        }

        logger.info("creating PostgreSQL cluster", metadata: ["herald.pg.data": "\(dataDirectory.path)"])
        let output = try await runServerProgram(
            "initdb",
            [
                "-D", dataDirectory.path, "-U", credentials.user, "--pwfile=\(passwordFile.path)",
                "--auth-host=scram-sha-256", "--auth-local=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-instructions",
            ]
        )
        guard output.succeeded else {
            throw EmbeddedPostgresError(
                .initFailed,
                "initdb failed for \(dataDirectory.path): \(Self.lastLine(output.standardError))"
            )
        }
        try writeCredentials(credentials)
    }

    // MARK: - Start and stop

    /// Starts the server unless it runs, creating the cluster first when needed, and waits until it accepts connections.
    ///
    /// - Returns: The credentials to connect with.
    @discardableResult
    public func start() async throws -> Credentials {
        try await initializeIfNeeded()
        var credentials = try readCredentials()
        if case .running(let port) = try await status() {
            credentials.port = port
            return credentials
        }
        // The cluster keeps its port across restarts, so that running processes find it where they left it; it moves
        // only when another program listens there (before starting, or by the time the server tried to bind).
        if !FreePort.isFree(credentials.port) { try move(&credentials) }
        do {
            try await startServer(on: credentials.port)
        } catch let error as EmbeddedPostgresError where error.code == .startFailed && !FreePort.isFree(credentials.port) {
            try move(&credentials)
            try await startServer(on: credentials.port)
        }
        return credentials
    }

    /// Gives the cluster a new free port (in `cluster.json`) because another program listens on its own.
    private func move(_ credentials: inout Credentials) throws {
        let previous = credentials.port
        credentials.port = try FreePort.find()
        try writeCredentials(credentials)
        logger.notice(
            "port taken by another program, cluster moves",
            metadata: ["herald.pg.old_port": "\(previous)", "herald.pg.port": "\(credentials.port)"]
        )
    }

    /// Starts the server on `port` and waits until it accepts connections.
    private func startServer(on port: Int) async throws {
        var serverOptions = [
            "-p \(port)", "-c listen_addresses=127.0.0.1", "-c unix_socket_directories=",
            "-c max_connections=\(options.maxConnections)",
        ]
        if options.unsafeFastWrites {
            serverOptions += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        }
        logger.info("starting PostgreSQL", metadata: ["herald.pg.port": "\(port)"])
        let output = try await runServerProgram(
            "pg_ctl",
            ["start", "-D", dataDirectory.path, "-l", logFile.path, "-w", "-t", "60", "-o", serverOptions.joined(separator: " ")]
        )
        guard output.succeeded else {
            let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
            throw EmbeddedPostgresError(
                .startFailed,
                "PostgreSQL did not start on port \(port): \(Self.lastLine(log.isEmpty ? output.standardError : log)) (log: \(logFile.path))"
            )
        }
        // pg_ctl -w waits for readiness; confirm the TCP listener too.
        for _ in 0..<100 where !FreePort.isAccepting(port) {
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Stops the server if it runs (fast shutdown: open sessions are ended, data is safe).
    public func stop() async throws {
        guard case .running = try await status() else { return }
        let output = try await runServerProgram("pg_ctl", ["stop", "-D", dataDirectory.path, "-m", "fast", "-w", "-t", "60"])
        guard output.succeeded else {
            throw EmbeddedPostgresError(.stopFailed, "pg_ctl stop failed: \(Self.lastLine(output.standardError))")
        }
    }

    /// The connection URL for `database`, with the stored role, password and port.
    public func url(database: String) throws -> String {
        let credentials = try readCredentials()
        let port = runningPort() ?? credentials.port
        return "postgres://\(credentials.user):\(credentials.password)@127.0.0.1:\(port)/\(database)"
    }

    // MARK: - Helpers

    /// Reads `cluster.json`.
    public func readCredentials() throws -> Credentials {
        guard let data = FileManager.default.contents(atPath: credentialsFile.path) else {
            throw EmbeddedPostgresError(
                .notInitialized,
                "no cluster in \(directory.path): run `herald db start` to create one"
            )
        }
        do {
            return try JSONDecoder().decode(Credentials.self, from: data)
        } catch {
            throw EmbeddedPostgresError(
                .corruptState,
                "\(credentialsFile.path) is unreadable (\(error)): remove \(directory.path) to create a new cluster"
            )
        }
    }

    func writeCredentials(_ credentials: Credentials) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let temporary = credentialsFile.appendingPathExtension("tmp")
        FileManager.default.createFile(atPath: temporary.path, contents: nil, attributes: [.posixPermissions: 0o600])
        try encoder.encode(credentials).write(to: temporary)
        guard rename(temporary.path, credentialsFile.path) == 0 else {
            throw EmbeddedPostgresError(.corruptState, "cannot write \(credentialsFile.path) (errno \(errno))")
        }
    }

    /// Runs a server program, as the `postgres` user when we are root.
    func runServerProgram(_ program: String, _ arguments: [String]) async throws -> ProcessOutput {
        if Self.runsAsPostgresUser {
            _ = try Self.postgresUser()
            return try await ProcessRunner.run(
                "/usr/sbin/runuser",
                ["-u", "postgres", "--", binaries.path(of: program)] + arguments,
                workingDirectory: URL(fileURLWithPath: "/")
            )
        }
        return try await ProcessRunner.run(binaries.path(of: program), arguments)
    }

    func chownToPostgres(_ paths: [String]) throws {
        let user = try Self.postgresUser()
        for path in paths {
            guard chown(path, user.uid, user.gid) == 0 else {
                throw EmbeddedPostgresError(.initFailed, "cannot give \(path) to the postgres user (errno \(errno))")
            }
        }
    }

    /// The `postgres` system user's ids; the server runs as it when we are root.
    static func postgresUser() throws -> (uid: uid_t, gid: gid_t) {
        guard let entry = getpwnam("postgres") else {
            throw EmbeddedPostgresError(
                .noPostgresUser,
                "running as root, but there is no `postgres` system user to run PostgreSQL as: "
                    + "create it (apt-get install postgresql does), run Herald as another user, or set DATABASE_URL"
            )
        }
        return (entry.pointee.pw_uid, entry.pointee.pw_gid)
    }

    /// Fails with a clear line when a folder above the cluster keeps the `postgres` user out
    /// (as `/root` does, mode 700): the server could not open its own data.
    func checkReachableByPostgres() throws {
        let user = try Self.postgresUser()
        var folder = directory.deletingLastPathComponent()
        while folder.path != "/" && !folder.path.isEmpty {
            var info = stat()
            if stat(folder.path, &info) == 0 {
                let othersMayEnter = info.st_mode & 0o001 != 0
                let ownerIsPostgres = info.st_uid == user.uid && info.st_mode & 0o100 != 0
                let groupIsPostgres = info.st_gid == user.gid && info.st_mode & 0o010 != 0
                guard othersMayEnter || ownerIsPostgres || groupIsPostgres else {
                    throw EmbeddedPostgresError(
                        .initFailed,
                        "the postgres user cannot enter \(folder.path), so it cannot run a cluster in \(directory.path): "
                            + "set HERALD_HOME to a folder it can reach (e.g. /var/lib/herald) or set DATABASE_URL"
                    )
                }
            }
            folder.deleteLastPathComponent()
        }
    }

    static func randomPassword() -> String {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        return String((0..<32).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }

    static func lastLine(_ text: String) -> String {
        text.split(separator: "\n").last(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty })
            .map(String.init) ?? "no output"
    }
}
