import Foundation
import Logging
import PostgresNIO

/// The connection pool as Storage's repositories use it: `query`, `execute`, `withConnection` and `withTransaction`,
/// as on PostgresNIO's `PostgresClient`, but failing fast when the database cannot be reached.
///
/// - Getting a connection has a deadline: an operation that waits for one has the database checked after a moment
///   (see ``PoolSupervisor``); when no connection can be made within ``DatabaseConfiguration/connectDeadline``, or the
///   database is already known to be down, it throws ``DatabaseUnavailable`` instead of waiting.
/// - Every statement has the server's `statement_timeout` (``DatabaseConfiguration/statementTimeout``).
/// - A client with a deadline (``Database/limited(by:)``) also gives up waiting at the deadline, bounds each statement of
///   its transactions by the time left, and rolls a transaction back rather than commit it after the deadline.
public struct DatabaseClient: Sendable {
    let supervisor: PoolSupervisor
    /// When the work must be over, if it has a deadline.
    var deadline: ContinuousClock.Instant?
    /// Whether statements may run past the configured `statement_timeout` (bulk imports, migrations).
    var allowsLongStatements = false

    init(supervisor: PoolSupervisor) {
        self.supervisor = supervisor
    }

    /// Runs one statement on a pooled connection; its rows must be read (or dropped) to return the connection.
    @discardableResult
    public func query(
        _ query: PostgresQuery,
        logger: Logger? = nil,
        file: String = #fileID,
        line: Int = #line
    ) async throws -> PostgresRowSequence {
        let pool = try supervisor.acquire()
        do {
            let rows = try await withThrowingTaskGroup(of: PostgresRowSequence?.self) { group in
                group.addTask { try await pool.client.query(query, logger: logger, file: file, line: line) }
                group.addTask {
                    try await supervisor.watch(until: deadline)
                    return nil
                }
                defer { group.cancelAll() }
                while let next = try await group.next() {
                    if let rows = next { return rows }
                }
                throw CancellationError()
            }
            supervisor.finished(pool, error: nil)
            return rows
        } catch {
            supervisor.finished(pool, error: error)
            throw error
        }
    }

    /// Runs a prepared statement on a pooled connection (prepared once per connection); its rows must be read.
    public func execute<Statement: PostgresPreparedStatement, Row>(
        _ statement: Statement,
        logger: Logger? = nil,
        file: String = #fileID,
        line: Int = #line
    ) async throws -> AsyncThrowingMapSequence<PostgresRowSequence, Row> where Row == Statement.Row {
        let pool = try supervisor.acquire()
        do {
            let rows = try await withThrowingTaskGroup(of: SentRows<Row>?.self) { group in
                group.addTask { SentRows(rows: try await pool.client.execute(statement, logger: logger, file: file, line: line)) }
                group.addTask {
                    try await supervisor.watch(until: deadline)
                    return nil
                }
                defer { group.cancelAll() }
                while let next = try await group.next() {
                    if let rows = next { return rows }
                }
                throw CancellationError()
            }
            supervisor.finished(pool, error: nil)
            return rows.rows
        } catch {
            supervisor.finished(pool, error: error)
            throw error
        }
    }

    /// Runs a statement for its effect, to its end, dropping any rows; throws what it raised.
    ///
    /// With a deadline, the statement runs in a transaction of its own, so that the deadline bounds it and it is rolled
    /// back rather than committed once the deadline passed (a statement that writes must not land after its caller was
    /// answered).
    public func execute(_ query: PostgresQuery, logger: Logger, file: String = #fileID, line: Int = #line) async throws {
        if deadline != nil {
            try await withTransaction(logger: logger) { connection in
                for try await _ in try await connection.query(query, logger: logger, file: file, line: line) {}
            }
            return
        }
        for try await _ in try await self.query(query, logger: logger, file: file, line: line) {}
    }

    /// Lends a pooled connection to `body` for its duration.
    public func withConnection<Result>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        let pool = try supervisor.acquire()
        let handoff = ConnectionHandoff()
        do {
            let result = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        try await pool.client.withConnection { connection in
                            guard handoff.deliver(connection) else { return }
                            await handoff.waitUntilReturned()
                        }
                    } catch {
                        handoff.fail(error)
                    }
                }
                group.addTask {
                    do {
                        try await supervisor.watch(until: deadline)
                    } catch {
                        handoff.fail(error)
                    }
                }
                let connection: PostgresConnection
                do {
                    connection = try await handoff.connection()
                } catch {
                    group.cancelAll()
                    throw error
                }
                // Stops the watch; the lease holder keeps the connection until it is returned below.
                group.cancelAll()
                defer { handoff.returned() }
                if allowsLongStatements {
                    try await connection.execute("SELECT set_config('statement_timeout', '0', false)", logger: supervisor.quietLogger)
                    do {
                        let result = try await body(connection)
                        try await connection.execute("RESET statement_timeout", logger: supervisor.quietLogger)
                        return result
                    } catch {
                        // The next user of the connection gets the configured limit back (a failed transaction is
                        // rolled back by now: the body's own transactions end before it returns).
                        try? await connection.execute("RESET statement_timeout", logger: supervisor.quietLogger)
                        throw error
                    }
                }
                return try await body(connection)
            }
            supervisor.finished(pool, error: nil)
            return result
        } catch {
            supervisor.finished(pool, error: error)
            throw error
        }
    }

    /// Runs `body` in one transaction on a pooled connection: committed when it returns, rolled back when it throws (the
    /// closure's own error is rethrown, not wrapped).
    ///
    /// With a deadline, each statement is limited to the time left, and the transaction is rolled back (throwing
    /// ``DatabaseUnavailable``) rather than committed once the deadline passed.
    public func withTransaction<Result>(
        logger: Logger,
        file: String = #file,
        line: Int = #line,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let deadline = self.deadline
        let allowsLongStatements = self.allowsLongStatements
        var plain = self
        plain.allowsLongStatements = false
        do {
            return try await plain.withConnection { connection in
                try await connection.withTransaction(logger: logger, file: file, line: line) { connection in
                    if let deadline {
                        let left = ContinuousClock.now.duration(to: deadline)
                        guard left > .zero else { throw Self.missed() }
                        let milliseconds = "\(DatabaseConfiguration.milliseconds(left))"
                        try await connection.execute("SELECT set_config('statement_timeout', \(milliseconds), true)", logger: logger)
                    } else if allowsLongStatements {
                        try await connection.execute("SELECT set_config('statement_timeout', '0', true)", logger: logger)
                    }
                    let result = try await body(connection)
                    if let deadline, ContinuousClock.now >= deadline { throw Self.missed() }
                    return result
                }
            }
        } catch {
            if let deadline, StorageError.sqlState(error) == "57014", ContinuousClock.now >= deadline {
                // The server cancelled a statement at the deadline: everything was rolled back.
                throw Self.missed()
            }
            // The closure's own error, as it threw it (rolled back).
            if let transaction = error as? PostgresTransactionError, let inner = transaction.closureError { throw inner }
            throw error
        }
    }

    /// The error for work that was rolled back because its deadline passed.
    static func missed() -> DatabaseUnavailable {
        DatabaseUnavailable("the database did not finish within the request's deadline; nothing was written")
    }
}

/// A prepared statement's mapped rows, sent from the child task that ran it. They are a `PostgresRowSequence` (Sendable)
/// mapped by the statement's `decodeRow` (statements are Sendable), so sending them is safe.
struct SentRows<Row>: @unchecked Sendable {
    var rows: AsyncThrowingMapSequence<PostgresRowSequence, Row>
}
