import Foundation

/// Backs a database up to a pg_dump custom-format archive and restores one, with the PostgreSQL client programs
/// (`pg_dump`, `pg_restore`) found beside the server programs or on `PATH`.
///
/// The password never appears on a command line (it goes in `PGPASSWORD`), and a backup is written to a temporary
/// name beside `FILE` and renamed only when `pg_dump` succeeded, so a failed backup never leaves a file that looks whole.
public struct DatabaseArchive: Sendable {
    /// Where and how to connect: libpq's parts of a `postgres://` URL.
    public struct Target: Sendable {
        public var host: String
        public var port: Int
        public var username: String
        public var password: String?
        public var database: String
        /// libpq's `sslmode`.
        public var sslMode: String

        public init(host: String, port: Int, username: String, password: String?, database: String, sslMode: String) {
            self.host = host
            self.port = port
            self.username = username
            self.password = password
            self.database = database
            self.sslMode = sslMode
        }

        /// The connection as libpq environment variables (password included, never on a command line).
        var environment: [String: String] {
            var environment = [
                "PGHOST": host, "PGPORT": String(port), "PGUSER": username, "PGDATABASE": database, "PGSSLMODE": sslMode,
                "PGCONNECT_TIMEOUT": "10",
            ]
            if let password { environment["PGPASSWORD"] = password }
            return environment
        }
    }

    /// What a custom-format archive says about itself (from its header and `pg_restore --list`).
    public struct Summary: Sendable, Equatable {
        /// The archive's table-of-contents entries (tables, indexes, data, ...).
        public var entries: Int
        /// The database the archive was made from, as its header names it.
        public var database: String?
    }

    /// The first bytes of every pg_dump custom-format archive.
    public static let magic = Data("PGDMP".utf8)

    let pgDump: String
    let pgRestore: String

    /// Uses the programs at these paths.
    public init(pgDump: String, pgRestore: String) {
        self.pgDump = pgDump
        self.pgRestore = pgRestore
    }

    /// Finds `pg_dump` and `pg_restore`: beside the located server programs first (the embedded cluster's version),
    /// then on `PATH` and in `/usr/lib/postgresql/*/bin`.
    ///
    /// - Throws: ``EmbeddedPostgresError/Code/serverNotFound`` saying what to install.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> DatabaseArchive {
        var directory: URL?
        if let binaries = try? await PostgresBinaries.locate(environment: environment) { directory = binaries.directory }
        func find(_ program: String) throws -> String {
            if let directory {
                let beside = directory.appendingPathComponent(program).path
                if FileManager.default.isExecutableFile(atPath: beside) { return beside }
            }
            if let found = PostgresBinaries.findOnPath(program, environment: environment) { return found }
            throw EmbeddedPostgresError(
                .serverNotFound,
                "\(program) not found beside the PostgreSQL server programs, in PATH or /usr/lib/postgresql/*/bin: "
                    + "install the PostgreSQL client programs (e.g. apt-get install postgresql-client), the same major version as the server or newer"
            )
        }
        return DatabaseArchive(pgDump: try find("pg_dump"), pgRestore: try find("pg_restore"))
    }

    /// Writes a custom-format archive of `target` to `file` (replacing it only once the archive is complete).
    ///
    /// - Throws: ``EmbeddedPostgresError/Code/archiveFailed`` with pg_dump's own words when it fails.
    public func backup(_ target: Target, to file: URL) async throws {
        let directory = file.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw EmbeddedPostgresError(.archiveFailed, "cannot write \(file.path): the folder \(directory.path) does not exist")
        }
        let partial = directory.appendingPathComponent(".\(file.lastPathComponent).partial-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: partial) }
        let output = try await ProcessRunner.run(
            pgDump,
            ["--format=custom", "--compress=6", "--no-password", "--file=\(partial.path)"],
            environment: target.environment
        )
        guard output.succeeded else {
            throw EmbeddedPostgresError(.archiveFailed, "pg_dump failed: \(Self.firstLines(output.standardError))")
        }
        if FileManager.default.fileExists(atPath: file.path) { try FileManager.default.removeItem(at: file) }
        try FileManager.default.moveItem(at: partial, to: file)
    }

    /// Checks that `file` is a pg_dump custom-format archive this `pg_restore` can read, and summarises it.
    ///
    /// - Throws: ``EmbeddedPostgresError/Code/notAnArchive`` naming what the file is instead.
    @discardableResult
    public func inspect(_ file: URL) async throws -> Summary {
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw EmbeddedPostgresError(.notAnArchive, "\(file.path) does not exist")
        }
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: file)
        } catch {
            throw EmbeddedPostgresError(.notAnArchive, "cannot read \(file.path): \(error.localizedDescription)")
        }
        let head = (try? handle.read(upToCount: 5)) ?? nil
        try? handle.close()
        guard let head, head == Self.magic else {
            let hint = head.map { Self.looksLikePlainSQL($0) } == true ? " (it looks like plain SQL: restore that with psql)" : ""
            throw EmbeddedPostgresError(
                .notAnArchive,
                "\(file.path) is not a pg_dump custom-format archive\(hint): make one with `herald db backup FILE`"
            )
        }
        let listing = try await ProcessRunner.run(pgRestore, ["--list", file.path])
        guard listing.succeeded else {
            throw EmbeddedPostgresError(
                .notAnArchive,
                "\(file.path) is a damaged or unsupported pg_dump archive: \(Self.firstLines(listing.standardError))"
            )
        }
        var entries = 0
        var database: String?
        for line in listing.standardOutput.split(separator: "\n") {
            if line.hasPrefix(";") {
                if let range = line.range(of: "dbname: ") { database = String(line[range.upperBound...]).trimmingCharacters(in: .whitespaces) }
            } else if !line.trimmingCharacters(in: .whitespaces).isEmpty {
                entries += 1
            }
        }
        return Summary(entries: entries, database: database)
    }

    /// Restores `file` into `target`, in one transaction, without the archive's owners and privileges (the target's
    /// user owns what it restores). The target should hold no Herald objects (empty it first).
    ///
    /// - Throws: ``EmbeddedPostgresError/Code/notAnArchive`` for a file that is not an archive,
    ///   ``EmbeddedPostgresError/Code/archiveFailed`` with pg_restore's words when restoring fails (nothing is kept).
    public func restore(_ file: URL, into target: Target) async throws {
        try await inspect(file)
        let output = try await ProcessRunner.run(
            pgRestore,
            ["--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges", "--no-password", "--dbname=\(target.database)", file.path],
            environment: target.environment
        )
        guard output.succeeded else {
            throw EmbeddedPostgresError(.archiveFailed, "pg_restore failed (nothing was restored): \(Self.firstLines(output.standardError))")
        }
    }

    static func looksLikePlainSQL(_ head: Data) -> Bool {
        let text = String(decoding: head, as: UTF8.self)
        return text.hasPrefix("--") || text.hasPrefix("SET") || text.hasPrefix("CREAT")
    }

    /// The first few lines of a program's error output, joined, for a one-line message.
    static func firstLines(_ text: String, count: Int = 3) -> String {
        let lines = text.split(separator: "\n").prefix(count).map { $0.trimmingCharacters(in: .whitespaces) }
        return lines.isEmpty ? "no message" : lines.joined(separator: " / ")
    }
}
