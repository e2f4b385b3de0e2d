import Foundation
import Logging
import PostgresNIO

extension Database {
    /// Whether `name` can stand in a statement as an identifier: letters, digits and underscores.
    static func isPlainIdentifier(_ name: String) -> Bool {
        name.range(of: "^[a-zA-Z_][a-zA-Z0-9_]{0,62}$", options: .regularExpression) != nil
    }

    /// Creates the database `name` on this server, as a copy of `template` when given (`CREATE DATABASE … TEMPLATE`).
    ///
    /// For tools and tests that make databases of their own (one per test, cloned from a migrated template).
    ///
    /// - Throws: ``StorageError`` if a name is not a plain identifier (identifiers cannot be bound as parameters).
    public func createDatabase(named name: String, template: String? = nil) async throws {
        for identifier in [name] + (template.map { [$0] } ?? []) where !Self.isPlainIdentifier(identifier) {
            throw StorageError("database name \"\(identifier)\" must be letters, digits and underscores")
        }
        // Both names were checked to be plain identifiers above.
        let statement = "CREATE DATABASE \"\(name)\"" + (template.map { " TEMPLATE \"\($0)\"" } ?? "")
        try await withoutStatementTimeout(PostgresQuery(unsafeSQL: statement))
    }

    /// Runs an administrative statement (making, dropping or vacuuming a database) without the statement timeout that
    /// guards requests: how long it takes depends on the database's size and the machine's load, not on a client.
    /// (`SET LOCAL` cannot serve: `CREATE DATABASE` does not run inside a transaction.)
    func withoutStatementTimeout(_ statement: PostgresQuery) async throws {
        try await client.withConnection { connection in
            try await connection.execute("SET statement_timeout = 0", logger: logger)
            do {
                try await connection.execute(statement, logger: logger)
            } catch {
                // The connection goes back to the pool with the timeout it came with.
                try? await connection.execute("RESET statement_timeout", logger: logger)
                throw error
            }
            try await connection.execute("RESET statement_timeout", logger: logger)
        }
    }

    /// Ends every other session connected to the database `name` (autovacuum workers included) and returns a line for
    /// each: its kind and application name. For throwaway clusters, whose template must be free to be copied.
    public func endSessions(on name: String) async throws -> [String] {
        let rows = try await client.query(
            """
            SELECT backend_type || ' ' || coalesce(application_name, '') || ' ' || pg_terminate_backend(pid)::text
            FROM pg_stat_activity WHERE datname = \(name) AND pid <> pg_backend_pid()
            """,
            logger: logger
        )
        var ended: [String] = []
        for try await line in rows.decode(String.self) { ended.append(line) }
        return ended
    }

    /// Vacuums, freezes and analyses the whole database, so autovacuum has no reason to visit it soon.
    public func vacuumFreezeAnalyze() async throws {
        try await withoutStatementTimeout("VACUUM (FREEZE, ANALYZE)")
    }

    /// Drops the database `name` on this server unless it does not exist; with `force`, the sessions still connected
    /// to it (a `herald serve` left running on it, say) are ended first instead of the drop failing.
    ///
    /// - Throws: ``StorageError`` if the name is not a plain identifier.
    public func dropDatabaseIfExists(named name: String, force: Bool = false) async throws {
        guard Self.isPlainIdentifier(name) else {
            throw StorageError("database name \"\(name)\" must be letters, digits and underscores")
        }
        // The name was checked to be a plain identifier above. FORCE ends the database's other sessions first.
        try await withoutStatementTimeout(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \"\(name)\"" + (force ? " WITH (FORCE)" : "")))
    }

    /// Creates `configuration.database` on its server unless it exists, connecting to the `postgres` database to do so.
    ///
    /// - Throws: ``StorageError`` if the name is not a plain identifier (it cannot be bound as a parameter).
    public static func createDatabaseIfMissing(_ configuration: DatabaseConfiguration, logger: Logger) async throws {
        let name = configuration.database
        guard isPlainIdentifier(name) else {
            throw StorageError("database name \"\(name)\" must be letters, digits and underscores")
        }
        try await withDatabase(configuration.with(database: "postgres"), logger: logger) { database in
            let rows = try await database.client.query("SELECT 1 FROM pg_database WHERE datname = \(name)", logger: logger)
            for try await _ in rows { return }
            do {
                try await database.createDatabase(named: name)
            } catch {
                // Another process may have created it meanwhile.
                if StorageError.sqlState(error) != "42P04" { throw error }
            }
        }
    }
}
