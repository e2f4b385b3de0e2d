import PostgresNIO

/// A database failure, described in one line that says what to do.
public struct StorageError: Error, CustomStringConvertible, Sendable {
    /// One line for the operator.
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }

    /// Describes any error from PostgresNIO by the server's own message when there is one.
    public static func describe(_ error: any Error) -> String {
        if let transaction = error as? PostgresTransactionError {
            if let inner = transaction.closureError { return describe(inner) }
            if let inner = transaction.beginError ?? transaction.commitError { return describe(inner) }
        }
        if let psql = error as? PSQLError {
            if let message = psql.serverInfo?[.message] {
                let detail = psql.serverInfo?[.detail].map { " (\($0))" } ?? ""
                return message + detail
            }
            switch psql.code {
            case .connectionError, .serverClosedConnection, .uncleanShutdown:
                return "cannot reach the database: is it running? (`herald db status`, or check DATABASE_URL)"
            case .authMechanismRequiresPassword, .unsupportedAuthMechanism:
                return "the database refused the credentials in DATABASE_URL"
            default:
                return "database error: \(psql.code)"
            }
        }
        return "\(error)"
    }

    /// The SQLSTATE of a server error, if `error` is one.
    public static func sqlState(_ error: any Error) -> String? {
        if let transaction = error as? PostgresTransactionError, let inner = transaction.closureError {
            return sqlState(inner)
        }
        return (error as? PSQLError)?.serverInfo?[.sqlState]
    }
}
