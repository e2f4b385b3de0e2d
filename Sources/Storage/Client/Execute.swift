import Logging
import PostgresNIO

// PostgresNIO hands back a row-returning statement's rows as soon as they are described; an error the
// statement raises while it runs (a deadlock, a lock timeout) arrives with the rows. A caller that never
// reads them never sees it, and the next statement on that connection fails as "transaction aborted".
// `execute` runs a statement to its end instead, for statements run for their effect (a function that
// makes a partition, a lock, a notification).

extension PostgresConnection {
    /// Runs a statement for its effect, to its end, dropping any rows; throws what it raised.
    public func execute(_ query: PostgresQuery, logger: Logger) async throws {
        for try await _ in try await self.query(query, logger: logger) {}
    }
}

extension PostgresClient {
    /// Runs a statement for its effect, to its end, dropping any rows; throws what it raised.
    public func execute(_ query: PostgresQuery, logger: Logger) async throws {
        for try await _ in try await self.query(query, logger: logger) {}
    }
}
