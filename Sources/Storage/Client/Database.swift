import Foundation
import Logging
import PostgresNIO

/// A running connection pool to Herald's database, lent to a closure for its lifetime.
///
/// Storage owns the pool: other modules reach the database only through the repositories and the named
/// methods here (``ping()``, ``connectionStats()``), never with SQL of their own.
public struct Database: Sendable {
    /// The pool (see ``DatabaseClient``: fails fast while the database cannot be reached).
    var client: DatabaseClient
    /// Where queries log.
    public let logger: Logger
    /// Which database this is (`host:port/name`).
    public let identity: String
    /// What this pool knows about the database's event partitions (see ``PartitionManager``).
    let partitionMemory: PartitionManager.Memory

    init(client: DatabaseClient, logger: Logger, identity: String) {
        self.client = client
        self.logger = logger
        self.identity = identity
        self.partitionMemory = PartitionManager.Memory()
    }

    /// This database with a deadline `duration` from now: waiting for a connection ends at the deadline, each statement
    /// of a transaction is limited to the time left, and a transaction is rolled back rather than committed after it
    /// (throwing ``DatabaseUnavailable``). For work whose caller stops waiting (an HTTP request answered 503 must not
    /// be written later).
    public func limited(by duration: Duration) -> Database {
        var copy = self
        copy.client.deadline = ContinuousClock.now + duration
        return copy
    }

    /// This database with no `statement_timeout` for its transactions and lent connections: for bulk work that may
    /// rightly take long (a CSV import of millions of rows, migrations).
    public func allowingLongStatements() -> Database {
        var copy = self
        copy.client.allowsLongStatements = true
        return copy
    }

    /// Why the database cannot be reached, while it is known to be down (nil when it is up or not known to be down).
    public var outage: DatabaseUnavailable? { client.supervisor.outage }

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
    /// The pool's `run()` must be running for queries to work; it runs in a child task here, with the recovery that
    /// swaps in a fresh pool after an outage (see ``DatabaseClient``).
    ///
    /// - Parameters:
    ///   - configuration: Where the database is.
    ///   - logger: Where queries and outages log.
    ///   - address: Reads where the database is now; called before reconnecting after an outage, so that a process
    ///     whose database moved (an embedded cluster restarted on another port) finds it again. Nil when it cannot move.
    ///   - body: The work.
    public static func withDatabase<Result: Sendable>(
        _ configuration: DatabaseConfiguration,
        logger: Logger,
        address: (@Sendable () async -> DatabaseConfiguration?)? = nil,
        _ body: (Database) async throws -> Result
    ) async throws -> Result {
        // The pool logs a warning when a lease races ahead of `run()` starting in the child task below;
        // that race is harmless (the lease waits), so the pool's own log starts at errors.
        var poolLogger = logger
        poolLogger.logLevel = max(logger.logLevel, .error)
        let supervisor = PoolSupervisor(configuration: configuration, address: address, poolLogger: poolLogger, logger: logger)
        let client = DatabaseClient(supervisor: supervisor)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await supervisor.run() }
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
    func transaction<Result>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        do {
            return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        } catch let error as PostgresTransactionError {
            if let inner = error.closureError { throw inner }
            throw error
        }
    }
}
