import Foundation
import Logging
import PostgresNIO

/// A running connection pool to Herald's database, lent to a closure for its lifetime.
public struct Database: Sendable {
    /// The pool.
    public let client: PostgresClient
    /// Where queries log.
    public let logger: Logger
    /// Which database this is (`host:port/name`), for caches of what exists in it.
    public let identity: String

    public init(client: PostgresClient, logger: Logger, identity: String) {
        self.client = client
        self.logger = logger
        self.identity = identity
    }

    /// Runs `body` with a connected pool, then shuts the pool down.
    ///
    /// The pool's `run()` must be running for queries to work; it runs in a child task here.
    public static func withDatabase<Result: Sendable>(
        _ configuration: DatabaseConfiguration,
        logger: Logger,
        _ body: (Database) async throws -> Result
    ) async throws -> Result {
        // The pool logs a warning when a lease races ahead of `run()` starting in the child task below;
        // that race is harmless (the lease waits), so the pool's own log starts at errors.
        var poolLogger = logger
        poolLogger.logLevel = max(logger.logLevel, .error)
        let client = PostgresClient(configuration: configuration.clientConfiguration(), backgroundLogger: poolLogger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            do {
                return try await body(
                    Database(client: client, logger: logger, identity: "\(configuration.host):\(configuration.port)/\(configuration.database)")
                )
            } catch let error as PSQLError {
                throw StorageError(StorageError.describe(error))
            } catch let error as PostgresTransactionError {
                if let inner = error.closureError, !(inner is PSQLError) { throw inner }
                throw StorageError(StorageError.describe(error))
            }
        }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws
    /// (the closure's own error is rethrown, not wrapped).
    public func transaction<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        do {
            return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        } catch let error as PostgresTransactionError {
            if let inner = error.closureError { throw inner }
            throw error
        }
    }

    /// Creates `configuration.database` on its server unless it exists, connecting to the `postgres` database to do so.
    ///
    /// - Throws: ``StorageError`` if the name is not a plain identifier (it cannot be bound as a parameter).
    public static func createDatabaseIfMissing(_ configuration: DatabaseConfiguration, logger: Logger) async throws {
        let name = configuration.database
        guard name.range(of: "^[a-zA-Z_][a-zA-Z0-9_]{0,62}$", options: .regularExpression) != nil else {
            throw StorageError("database name \"\(name)\" must be letters, digits and underscores")
        }
        try await withDatabase(configuration.with(database: "postgres"), logger: logger) { database in
            let rows = try await database.client.query("SELECT 1 FROM pg_database WHERE datname = \(name)", logger: logger)
            for try await _ in rows { return }
            do {
                // Identifiers cannot be bound; `name` was checked to be a plain identifier above.
                try await database.client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \"\(name)\""), logger: logger)
            } catch {
                // Another process may have created it meanwhile.
                if StorageError.sqlState(error) != "42P04" { throw error }
            }
        }
    }
}
