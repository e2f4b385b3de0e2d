import Foundation
import HeraldTestSupport
import PostgresNIO
import Testing

@testable import Storage

/// Making and dropping databases (the demo's own, the tests' copies of the template) on the real test cluster.
@Suite struct DatabaseAdminTests {
    /// Administrative statements take what they take on a loaded machine (copying a template, vacuuming): the statement
    /// timeout that guards requests does not apply to them, and the pool's connection keeps its timeout afterwards.
    @Test func administrativeStatementsIgnoreTheRequestsStatementTimeout() async throws {
        let fresh = try await TestDatabase.fresh()
        var configuration = fresh
        configuration.statementTimeout = .seconds(1)
        let copy = "\(configuration.database)_copy"
        try await Database.withDatabase(configuration.with(database: "postgres"), logger: TestDatabase.logger) { database in
            // A statement three times longer than the timeout runs to its end.
            try await database.withoutStatementTimeout("SELECT pg_sleep(3)")
            // The connection went back with the request's timeout: the same statement as a request is cut off.
            await #expect(throws: (any Error).self) {
                try await database.client.execute("SELECT pg_sleep(3)", logger: database.logger)
            }
            // Making and dropping a copy of the migrated template go through the same path.
            try await database.createDatabase(named: copy, template: configuration.database)
            try await Database.withDatabase(fresh.with(database: copy), logger: TestDatabase.logger) { copied in
                var tables = 0
                for try await count in try await copied.client.query(
                    "SELECT count(*)::int FROM pg_tables WHERE tablename = 'campaigns'",
                    logger: copied.logger
                ).decode(Int.self) {
                    tables = count
                }
                #expect(tables == 1)
            }
            try await database.dropDatabaseIfExists(named: copy, force: true)
        }
    }
}
