import EmbeddedPostgres
import Foundation
import HeraldCore
import HeraldTestSupport
import Logging
import PostgresNIO
import Testing

@testable import Storage

#if canImport(Glibc)
import Glibc
#endif

/// The pool fails fast while its database is down, recovers by itself when it is back, finds it again when it moved, and
/// a transaction with a deadline is rolled back rather than committed late. Each test stops and starts a real cluster
/// of its own.
@Suite struct DatabaseOutageTests {
    /// Waits until `condition` holds, checking every 100 ms, for at most `timeout` (generous: the machine may be loaded).
    static func eventually(within timeout: Duration = .seconds(60), _ condition: () async -> Bool) async throws -> Bool {
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end {
            if await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// How long `body` took, and what it threw.
    static func timed(_ body: () async throws -> Void) async -> (Duration, (any Error)?) {
        let start = ContinuousClock.now
        do {
            try await body()
            return (ContinuousClock.now - start, nil)
        } catch {
            return (ContinuousClock.now - start, error)
        }
    }

    @Test func everyKindOfOperationFailsWithDatabaseUnavailableWhileTheDatabaseIsDownThenWorksAgain() async throws {
        try await TestCluster.with { cluster in
            try await Database.withDatabase(try cluster.configuration(), logger: TestDatabase.logger) { database in
                try await database.ping()
                try await cluster.stop()
                // Each shape of access: a query, a lent connection, a transaction, a prepared-statement-free execute.
                let attempts: [(String, () async throws -> Void)] = [
                    ("query", { for try await _ in try await database.client.query("SELECT 1", logger: database.logger) {} }),
                    ("execute", { try await database.client.execute("SELECT 1", logger: database.logger) }),
                    ("withConnection", { try await database.client.withConnection { try await $0.execute("SELECT 1", logger: database.logger) } }),
                    ("transaction", { try await database.transaction { try await $0.execute("SELECT 1", logger: database.logger) } }),
                    ("repository", { _ = try await WorkspaceStore(database).ensure(slug: "down") }),
                ]
                for (name, attempt) in attempts {
                    let (took, error) = await Self.timed(attempt)
                    let unavailable = error.flatMap { DatabaseUnavailable.classify($0) }
                    #expect(unavailable != nil, "\(name) threw \(String(describing: error)), not DatabaseUnavailable")
                    // Far below the 54 s the pool used to wait; the exact figure depends on the machine's load.
                    #expect(took < .seconds(20), "\(name) took \(took)")
                }
                #expect(database.outage != nil)

                try await cluster.start()
                let back = try await Self.eventually {
                    (try? await WorkspaceStore(database).ensure(slug: "back")) != nil
                }
                #expect(back, "the pool did not recover by itself")
                #expect(database.outage == nil)
            }
        }
    }

    @Test func aProcessWhoseClusterMovedFindsItAgain() async throws {
        try await TestCluster.with { cluster in
            let first = try cluster.port()
            try await Database.withDatabase(try cluster.configuration(), logger: TestDatabase.logger, address: cluster.address) { database in
                try await database.ping()
                try await cluster.stop()
                // Another program takes the port: the cluster moves when it starts again.
                let squatter = try PortSquatter(port: first)
                defer { squatter.close() }
                try await cluster.start()
                #expect(try cluster.port() != first)
                let found = try await Self.eventually {
                    (try? await database.ping()) != nil
                }
                #expect(found, "the pool did not find the cluster at its new port")
                _ = try await WorkspaceStore(database).ensure(slug: "moved")
            }
        }
    }

    @Test func aTransactionPastItsDeadlineIsRolledBackNotCommittedLate() async throws {
        try await TestCluster.with { cluster in
            try await Database.withDatabase(try cluster.configuration(), logger: TestDatabase.logger) { database in
                let workspace = try await WorkspaceStore(database).ensure(slug: "deadline")
                // Another session holds a lock the transaction needs, for longer than the deadline.
                try await database.client.withConnection { blocker in
                    try await blocker.execute("BEGIN", logger: database.logger)
                    try await blocker.execute("LOCK TABLE workspaces IN ACCESS EXCLUSIVE MODE", logger: database.logger)
                    let limited = database.limited(by: .milliseconds(500))
                    let (_, error) = await Self.timed {
                        try await limited.transaction { connection in
                            try await connection.execute(
                                "UPDATE workspaces SET slug = 'renamed' WHERE id = \(workspace.uuid)",
                                logger: database.logger
                            )
                        }
                    }
                    #expect(error.flatMap { DatabaseUnavailable.classify($0) } != nil, "threw \(String(describing: error))")
                    try await blocker.execute("ROLLBACK", logger: database.logger)
                }
                // Nothing is left that could commit later: the slug is unchanged once the lock is gone.
                var slugs: [String] = []
                for try await slug in try await database.client.query("SELECT slug FROM workspaces", logger: database.logger).decode(String.self) {
                    slugs.append(slug)
                }
                #expect(slugs == ["deadline"])
            }
        }
    }

    @Test func statementsHaveATimeoutThatLongBulkWorkLifts() async throws {
        var configuration = try DatabaseConfiguration(url: "postgres://u@127.0.0.1/d?statement_timeout=200&connect_timeout=1.5")
        #expect(configuration.statementTimeout == .milliseconds(200))
        #expect(configuration.connectDeadline == .milliseconds(1_500))
        configuration = try DatabaseConfiguration(url: "postgres://u@127.0.0.1/d")
        #expect(configuration.statementTimeout == .seconds(30) && configuration.connectDeadline == .seconds(2))
        try await TestCluster.with { cluster in
            var short = try cluster.configuration()
            short.statementTimeout = .milliseconds(300)
            try await Database.withDatabase(short, logger: TestDatabase.logger) { database in
                await #expect {
                    try await database.client.execute("SELECT pg_sleep(5)", logger: database.logger)
                } throws: { StorageError.sqlState($0) == "57014" }
                let long = database.allowingLongStatements()
                try await long.transaction { try await $0.execute("SELECT pg_sleep(0.6)", logger: database.logger) }
                try await long.client.withConnection { try await $0.execute("SELECT pg_sleep(0.6)", logger: database.logger) }
                // The lifted limit does not leak to the next user of the connection.
                await #expect {
                    try await database.client.execute("SELECT pg_sleep(5)", logger: database.logger)
                } throws: { StorageError.sqlState($0) == "57014" }
            }
        }
    }
}
