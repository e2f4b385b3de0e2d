import Logging
import PostgresNIO

/// Applies migrations in order, each once, each in its own transaction, and records them.
///
/// Any number of processes may migrate at once: an advisory lock lets one work while the
/// others wait and then find nothing left to do. A migration that was applied and whose file
/// changed since is refused, since the database no longer matches what the file says.
public struct Migrator: Sendable {
    /// The migrations to apply, in version order.
    public let migrations: [Migration]

    /// The advisory lock key that serialises migrators ("herald" in ASCII).
    static let lockKey: Int64 = 0x6865_7261_6C64

    public init(migrations: [Migration]) {
        self.migrations = migrations
    }

    /// What was applied before and what this run applied.
    public struct Outcome: Sendable, Equatable {
        public var alreadyApplied: [String]
        public var applied: [String]
    }

    /// Brings the database up to date.
    ///
    /// - Throws: ``StorageError`` when an applied file was edited or removed, or a migration fails
    ///   (then nothing of that migration is kept).
    @discardableResult
    public func migrate(_ database: Database) async throws -> Outcome {
        let logger = database.logger
        // A migration (an index over a large table) or the wait for another process's may take longer than the
        // statement timeout that protects everything else.
        return try await database.allowingLongStatements().client.withConnection { connection in
            try await connection.execute("SELECT pg_advisory_lock(\(Self.lockKey))", logger: logger)
            do {
                let outcome = try await migrate(connection, logger: logger)
                try await connection.execute("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                return outcome
            } catch {
                try? await connection.execute("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                throw error
            }
        }
    }

    private func migrate(_ connection: PostgresConnection, logger: Logger) async throws -> Outcome {
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS herald_migrations (
                version     int PRIMARY KEY,
                name        text NOT NULL,
                checksum    text NOT NULL,
                applied_at  timestamptz NOT NULL DEFAULT now()
            )
            """,
            logger: logger
        )
        var applied: [Int: (name: String, checksum: String)] = [:]
        let rows = try await connection.query("SELECT version, name, checksum FROM herald_migrations", logger: logger)
        for try await (version, name, checksum) in rows.decode((Int, String, String).self) {
            applied[version] = (name, checksum)
        }
        for (version, record) in applied.sorted(by: { $0.key < $1.key }) {
            guard let file = migrations.first(where: { $0.version == version }) else {
                throw StorageError(
                    "migration \(record.name) is applied in the database but missing from sql/: this Herald is older than the database"
                )
            }
            guard file.checksum == record.checksum else {
                throw StorageError(
                    "sql/\(file.name) was edited after it was applied (checksum differs): restore it and put the change in a new migration"
                )
            }
        }
        var outcome = Outcome(alreadyApplied: applied.values.map(\.name).sorted(), applied: [])
        for migration in migrations where applied[migration.version] == nil {
            logger.info("applying migration", metadata: ["herald.migration": "\(migration.name)"])
            do {
                try await connection.query("BEGIN", logger: logger)
                for statement in SQLScript.statements(in: migration.sql) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO herald_migrations (version, name, checksum) VALUES (\(migration.version), \(migration.name), \(migration.checksum))",
                    logger: logger
                )
                try await connection.query("COMMIT", logger: logger)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw StorageError("migration sql/\(migration.name) failed, nothing of it was kept: \(StorageError.describe(error))")
            }
            outcome.applied.append(migration.name)
        }
        return outcome
    }
}
