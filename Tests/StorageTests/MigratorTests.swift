import Foundation
import HeraldTestSupport
import PostgresNIO
import Testing

@testable import Storage

struct MigratorTests {
    @Test func templateIsMigratedOnceAndRerunIsANoOp() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let outcome = try await Migrator(migrations: try Migration.bundled()).migrate(database)
            #expect(outcome.applied.isEmpty)
            #expect(outcome.alreadyApplied.contains("0001_initial.sql"))
            let rows = try await database.client.query("SELECT count(*)::int FROM herald_migrations", logger: database.logger)
            for try await count in rows.decode(Int.self) { #expect(count == (try Migration.bundled()).count) }
        }
    }

    @Test func appliesEachFileOnceInOrderAndRefusesAnEditedOne() async throws {
        let directory = try HeraldCommand.temporaryDirectory()
        try "CREATE TABLE a (id int PRIMARY KEY);".write(to: directory.appendingPathComponent("0001_a.sql"), atomically: true, encoding: .utf8)
        try "CREATE TABLE b (id int REFERENCES a (id) ON DELETE CASCADE); INSERT INTO a VALUES (1);"
            .write(to: directory.appendingPathComponent("0002_b.sql"), atomically: true, encoding: .utf8)
        try await TestDatabase.withFreshDatabase(migrated: false) { database in
            let first = try await Migrator(migrations: try Migration.load(from: directory)).migrate(database)
            #expect(first.applied == ["0001_a.sql", "0002_b.sql"])
            let second = try await Migrator(migrations: try Migration.load(from: directory)).migrate(database)
            #expect(second.applied.isEmpty)

            try "CREATE TABLE a (id bigint PRIMARY KEY);".write(to: directory.appendingPathComponent("0001_a.sql"), atomically: true, encoding: .utf8)
            await #expect {
                try await Migrator(migrations: try Migration.load(from: directory)).migrate(database)
            } throws: { error in
                "\(error)".contains("sql/0001_a.sql was edited after it was applied")
            }
        }
    }

    @Test func failedMigrationKeepsNothing() async throws {
        let directory = try HeraldCommand.temporaryDirectory()
        try "CREATE TABLE good (id int); CREATE TABLE broken (id nosuchtype);"
            .write(to: directory.appendingPathComponent("0001_broken.sql"), atomically: true, encoding: .utf8)
        try await TestDatabase.withFreshDatabase(migrated: false) { database in
            await #expect {
                try await Migrator(migrations: try Migration.load(from: directory)).migrate(database)
            } throws: { error in
                "\(error)".contains("migration sql/0001_broken.sql failed") && "\(error)".contains("nosuchtype")
            }
            let rows = try await database.client.query("SELECT to_regclass('good') IS NULL", logger: database.logger)
            for try await missing in rows.decode(Bool.self) { #expect(missing) }
        }
    }

    @Test func badlyNamedFileIsRefused() throws {
        let directory = try HeraldCommand.temporaryDirectory()
        try "SELECT 1;".write(to: directory.appendingPathComponent("1_first.sql"), atomically: true, encoding: .utf8)
        #expect(throws: StorageError.self) { try Migration.load(from: directory) }
    }
}
