import Foundation

/// The PostgreSQL server programs Herald needs: `initdb`, `pg_ctl` and `postgres`.
public struct PostgresBinaries: Sendable {
    /// The folder that holds the programs.
    public var directory: URL

    /// The path of one program in ``directory``.
    public func path(of program: String) -> String {
        directory.appendingPathComponent(program).path
    }

    /// Finds the server programs: `$PATH` first, then `/usr/lib/postgresql/<version>/bin`
    /// (newest version first), then `pg_config --bindir`.
    ///
    /// - Parameters:
    ///   - environment: The environment to read `PATH` from.
    ///   - packageRoot: Where distribution packages put versioned server folders.
    /// - Throws: ``EmbeddedPostgresError/Code/serverNotFound`` with a line saying what to install.
    public static func locate(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        packageRoot: String = "/usr/lib/postgresql"
    ) async throws -> PostgresBinaries {
        for directory in candidateDirectories(environment: environment, packageRoot: packageRoot) where containsServer(directory) {
            return PostgresBinaries(directory: directory)
        }
        if let pgConfig = findInPath("pg_config", environment: environment),
            let output = try? await ProcessRunner.run(pgConfig, ["--bindir"]), output.succeeded
        {
            let directory = URL(fileURLWithPath: output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines))
            if containsServer(directory) { return PostgresBinaries(directory: directory) }
        }
        throw EmbeddedPostgresError(
            .serverNotFound,
            "PostgreSQL server programs (initdb, pg_ctl) not found in PATH, /usr/lib/postgresql/*/bin or pg_config --bindir: "
                + "install PostgreSQL 14 or newer (e.g. apt-get install postgresql) or set DATABASE_URL to an existing server"
        )
    }

    static func candidateDirectories(environment: [String: String], packageRoot: String) -> [URL] {
        var directories: [URL] = []
        for entry in (environment["PATH"] ?? "").split(separator: ":") where !entry.isEmpty {
            directories.append(URL(fileURLWithPath: String(entry)))
        }
        let versioned = (try? FileManager.default.contentsOfDirectory(atPath: packageRoot)) ?? []
        let newestFirst = versioned.sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }
        for version in newestFirst {
            directories.append(URL(fileURLWithPath: "\(packageRoot)/\(version)/bin"))
        }
        return directories
    }

    static func containsServer(_ directory: URL) -> Bool {
        ["initdb", "pg_ctl", "postgres"].allSatisfy {
            FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent($0).path)
        }
    }

    static func findInPath(_ program: String, environment: [String: String]) -> String? {
        for entry in (environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(entry)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// The path of a client program (`psql`) on PATH or beside the server programs, if any.
    public static func findOnPath(_ program: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let found = findInPath(program, environment: environment) { return found }
        for directory in candidateDirectories(environment: environment, packageRoot: "/usr/lib/postgresql") {
            let candidate = directory.appendingPathComponent(program).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
