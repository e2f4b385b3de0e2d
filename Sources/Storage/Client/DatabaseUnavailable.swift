import PostgresNIO

/// The database cannot be reached right now: it is down or restarting, refuses connections, dropped the connection, or
/// no connection came free within the deadline.
///
/// Such a failure says nothing about the request or job: the same work succeeds once the database is back. The API
/// answers it with 503 and `Retry-After` (never 500), workers and schedulers back off and resume, and tracking hits
/// wait in the spool.
public struct DatabaseUnavailable: Error, CustomStringConvertible, Sendable {
    /// What failed, in one line.
    public var reason: String
    /// The server refused a connection because it has too many (53300): it is up, only busy. The request fails (503),
    /// but nothing is recovered or replaced for it: a new pool would only add connections.
    public var isOverload = false

    /// How long clients are told to wait before retrying (`Retry-After`, seconds).
    public static let retryAfterSeconds = 5

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String {
        "the database is unavailable (\(reason)): retry in a few seconds; if it lasts, check `herald db status` or DATABASE_URL"
    }

    /// `error` as an unavailability when it is one: a connection that could not be made or was lost, a server shutting
    /// down or starting (SQLSTATE class 08, 57P01–57P03), too many connections (53300), or a pool that is closed.
    /// Anything else (a constraint, a syntax error, a timeout of one statement) is not.
    public static func classify(_ error: any Error) -> DatabaseUnavailable? {
        if let unavailable = error as? DatabaseUnavailable { return unavailable }
        if let transaction = error as? PostgresTransactionError {
            if let inner = transaction.closureError { return classify(inner) }
            if let inner = transaction.beginError ?? transaction.commitError { return classify(inner) }
            return nil
        }
        guard let psql = error as? PSQLError else { return classifyPoolError(error) }
        if let state = psql.serverInfo?[.sqlState] {
            guard state.hasPrefix("08") || ["57P01", "57P02", "57P03", "53300"].contains(state) else { return nil }
            var unavailable = DatabaseUnavailable(psql.serverInfo?[.message] ?? "SQLSTATE \(state)")
            unavailable.isOverload = state == "53300"
            return unavailable
        }
        switch psql.code {
        case .connectionError:
            return DatabaseUnavailable("no connection could be made")
        case .serverClosedConnection, .uncleanShutdown:
            return DatabaseUnavailable("the server closed the connection")
        case .clientClosedConnection, .poolClosed:
            return DatabaseUnavailable("the connection pool is closed")
        default:
            return nil
        }
    }

    /// The pool's own errors (`ConnectionPoolError` of PostgresNIO's underscored pool module, matched by name so Storage
    /// does not depend on that module): connections failing so often that the pool stopped trying for a while, or a pool
    /// shut down. A cancelled request is not an outage.
    static func classifyPoolError(_ error: any Error) -> DatabaseUnavailable? {
        guard String(describing: type(of: error)) == "ConnectionPoolError" else { return nil }
        let text = String(describing: error)
        if text.contains("connectionCreationCircuitBreakerTripped") {
            return DatabaseUnavailable("connections keep failing; the pool waits before trying again")
        }
        if text.contains("poolShutdown") { return DatabaseUnavailable("the connection pool is shut down") }
        return nil
    }
}
