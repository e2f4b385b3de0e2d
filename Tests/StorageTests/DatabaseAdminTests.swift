import Foundation
import HeraldTestSupport
import PostgresNIO
import Testing

@testable import Storage

/// Making and dropping databases (the demo's own, the tests' copies of the template) on the real test cluster.
@Suite struct DatabaseAdminTests {
    /// Copying a migrated template takes what it takes on a loaded machine: the statement timeout that guards requests
    /// (here 1 ms, where it is 30 s by default) does not apply to it, and the pool's connection keeps its timeout after.
    @Test func makingAndDroppingADatabaseIgnoreTheRequestsStatementTimeout() async throws {
        let fresh = try await TestDatabase.fresh()
        var configuration = fresh
        configuration.statementTimeout = .milliseconds(1)
        let copy = "\(configuration.database)_copy"
        try await Database.withDatabase(configuration.with(database: "postgres"), logger: TestDatabase.logger) { database in
            try await database.createDatabase(named: copy, template: configuration.database)
            // The copy is there, with the template's tables (read under the default timeout).
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
            // The connection went back with the request's timeout: a slow statement is still cut off.
            await #expect(throws: (any Error).self) {
                try await database.client.execute("SELECT pg_sleep(0.5)", logger: database.logger)
            }
        }
    }
}
