import Foundation
import Logging
import PostgresNIO

/// A running connection pool to Herald's database, lent to a closure for its lifetime.
///
/// Storage owns the pool: other modules reach the database only through the repositories and the named
/// methods here (``ping()``, ``connectionStats()``), never with SQL of their own.
public struct Database: Sendable {
    /// The pool.
    let client: PostgresClient
    /// Where queries log.
    public let logger: Logger
    /// Which database this is (`host:port/name`).
    public let identity: String
    /// What this pool knows about the database's event partitions (see ``PartitionManager``).
    let partitionMemory: PartitionManager.Memory

    init(client: PostgresClient, logger: Logger, identity: String) {
        self.client = client
        self.logger = logger
        self.identity = identity
        self.partitionMemory = PartitionManager.Memory()
    }

    /// Checks that the database answers a trivial query.
    ///
    /// - Throws: the connection or query error when it does not.
    public func ping() async throws {
        try await client.execute("SELECT 1", logger: logger)
    }

    /// Connections to this database from every process sharing it, by state (`active`, `idle`, ...),
    /// from `pg_stat_activity`; `active` and `idle` are always present.
    public func connectionStats() async throws -> [String: Int] {
        let rows = try await client.query(
            """
            SELECT coalesce(state, 'unknown'), count(*)::int FROM pg_stat_activity
            WHERE datname = current_database() AND backend_type = 'client backend'
            GROUP BY 1
            """,
            logger: logger
        )
        var connections: [String: Int] = ["active": 0, "idle": 0]
        for try await (state, count) in rows.decode((String, Int).self) { connections[state, default: 0] += count }
        return connections
    }

    /// Runs until cancelled, calling `onNotification` for each `NOTIFY` on `channel`, on a connection of its own.
    ///
    /// - Throws: when the connection fails (the caller decides whether to listen again).
    public func listen(on channel: String, onNotification: @escaping @Sendable () -> Void) async throws {
        try await client.withConnection { connection in
            try await connection.listen(on: channel) { notifications in
                for try await _ in notifications { onNotification() }
            }
        }
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
    func transaction<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        do {
            return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        } catch let error as PostgresTransactionError {
            if let inner = error.closureError { throw inner }
            throw error
        }
    }
}
