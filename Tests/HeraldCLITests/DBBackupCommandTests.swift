import EmbeddedPostgres
import Foundation
import HeraldTestSupport
import PostgresNIO
import Testing

@testable import Storage

/// `herald db backup` and `herald db restore` against real databases: a round trip keeps every table's rows.
struct DBBackupCommandTests {
    /// Per table in `public`: its row count, a fingerprint of all its rows, and its first few rows as text.
    struct TableContents: Equatable, CustomStringConvertible {
        var count: Int
        var fingerprint: String
        var sample: [String]
        var description: String { "\(count) rows, md5 \(fingerprint), first \(sample.prefix(1))" }
    }

    /// Every ordinary table (partitions counted through their parent) with what it holds.
    static func contents(of configuration: DatabaseConfiguration) async throws -> [String: TableContents] {
        try await Database.withDatabase(configuration, logger: TestDatabase.logger) { database in
            var tables: [String] = []
            let names = try await database.client.query(
                """
                SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY c.relname
                """,
                logger: database.logger
            )
            for try await name in names.decode(String.self) { tables.append(name) }
            var contents: [String: TableContents] = [:]
            for table in tables where table != "herald_migrations" {
                // The names come from the catalog, quoted as identifiers.
                let whole = try await database.client.query(
                    PostgresQuery(
                        unsafeSQL: "SELECT count(*)::int, coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM \"\(table)\" t"
                    ),
                    logger: database.logger
                )
                var entry = TableContents(count: 0, fingerprint: "", sample: [])
                for try await (count, fingerprint) in whole.decode((Int, String).self) {
                    entry.count = count
                    entry.fingerprint = fingerprint
                }
                let sample = try await database.client.query(
                    PostgresQuery(unsafeSQL: "SELECT t::text FROM \"\(table)\" t ORDER BY t::text LIMIT 5"),
                    logger: database.logger
                )
                for try await row in sample.decode(String.self) { entry.sample.append(row) }
                contents[table] = entry
            }
            return contents
        }
    }

    static func appliedMigrations(_ configuration: DatabaseConfiguration) async throws -> [String] {
        try await Database.withDatabase(configuration, logger: TestDatabase.logger) { database in
            var names: [String] = []
            let rows = try await database.client.query("SELECT name FROM herald_migrations ORDER BY version", logger: database.logger)
            for try await name in rows.decode(String.self) { names.append(name) }
            return names
        }
    }

    @Test func aRoundTripKeepsEveryRowAndReplacesWhatWasThere() async throws {
        // The source: the demo's campaign with its events, jobs, publications and analyses, plus one more campaign.
        let fixture = try await CLIFixture.make()
        let demo = try await fixture.run("demo", "--days", "3", "--seed", "5", "--out", "reports")
        #expect(demo.succeeded, "\(demo.standardError)")
        // The demo runs in a database of its own (`<name>_demo`): that is the source.
        let source = CLIFixture(database: fixture.database.with(database: fixture.database.database + "_demo"), folder: fixture.folder)
        let campaign = try await source.createCampaign()
        let before = try await Self.contents(of: source.database)
        #expect(before.values.filter { $0.count > 0 }.count >= 8, "the demo should fill most tables: \(before)")

        let file = source.folder.appendingPathComponent("herald.dump").path
        let backup = try await source.run("db", "backup", file)
        #expect(backup.succeeded, "\(backup.standardError)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)).prefix(5) == DatabaseArchive.magic)

        // The target holds a campaign of its own, which the restore replaces (after saving it).
        let target = try await CLIFixture.make()
        let path = try target.write(
            "other.yaml",
            """
            name: Only in the target
            channels: [x]
            destination: https://example.com/other
            variants:
              - {key: A, text: "Replaced by the restore."}
            """
        )
        let created = try await target.run("campaigns", "create", path)
        #expect(created.succeeded, "\(created.standardError)")
        let other = created.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(other != campaign.slug)
        let restore = try await target.run("db", "restore", file)
        #expect(restore.succeeded, "\(restore.standardError)")
        #expect(restore.standardOutput.contains("saved the current database to"))
        let after = try await Self.contents(of: target.database)
        #expect(Set(after.keys) == Set(before.keys))
        for (table, contents) in before {
            #expect(after[table] == contents, "table \(table) differs after the round trip")
        }
        #expect(try await Self.appliedMigrations(target.database) == (try Migration.bundled()).map(\.name))

        // The app reads it: the source's campaign shows the same in both.
        let shownThere = try await source.run("campaigns", "show", campaign.slug, "--json")
        let shownHere = try await target.run("campaigns", "show", campaign.slug, "--json")
        #expect(shownHere.succeeded, "\(shownHere.standardError)")
        #expect(shownHere.standardOutput == shownThere.standardOutput)
        #expect(try await target.run("campaigns", "show", other).status == 1)

        // The safety backup holds what was replaced, and restores like any archive.
        let backups = target.folder.appendingPathComponent("home/backups")
        let saved = try #require(try FileManager.default.contentsOfDirectory(atPath: backups.path).first { $0.hasPrefix("before-restore-") })
        let back = try await target.run("db", "restore", "--no-safety-backup", backups.appendingPathComponent(saved).path)
        #expect(back.succeeded, "\(back.standardError)")
        #expect(try await target.run("campaigns", "show", other).succeeded)
    }

    @Test func aFileThatIsNotAnArchiveIsRefusedAndChangesNothing() async throws {
        let fixture = try await CLIFixture.make()
        _ = try await fixture.createCampaign()
        let before = try await Self.contents(of: fixture.database)

        let plain = try fixture.write("plain.sql", "-- PostgreSQL database dump\nCREATE TABLE x (id int);\n")
        let refused = try await fixture.run("db", "restore", plain)
        #expect(refused.status == 1)
        #expect(
            refused.standardError
                == "herald: \(plain) is not a pg_dump custom-format archive (it looks like plain SQL: restore that with psql): make one with `herald db backup FILE`\n"
        )

        let missing = try await fixture.run("db", "restore", "nothere.dump")
        #expect(missing.standardError.contains("nothere.dump does not exist"))

        let file = fixture.folder.appendingPathComponent("whole.dump").path
        #expect(try await fixture.run("db", "backup", file).succeeded)
        let truncated = fixture.folder.appendingPathComponent("truncated.dump")
        try Data(try Data(contentsOf: URL(fileURLWithPath: file)).prefix(3000)).write(to: truncated)
        let damaged = try await fixture.run("db", "restore", truncated.path)
        #expect(damaged.status == 1)
        #expect(damaged.standardError.contains("is a damaged or unsupported pg_dump archive"), "\(damaged.standardError)")
        #expect(isOneLine(damaged.standardError))

        let empty = try fixture.write("empty.dump", "")
        #expect(try await fixture.run("db", "restore", empty).standardError.contains("is not a pg_dump custom-format archive"))

        #expect(try await Self.contents(of: fixture.database) == before)
        let noFolder = try await fixture.run("db", "backup", "no/such/folder/x.dump")
        #expect(noFolder.status == 1)
        #expect(noFolder.standardError.contains("the folder"))
    }

    @Test func aBackupOfAnOlderSchemaIsMigratedOnRestore() async throws {
        // An old Herald's database: the first ten migrations only, with a workspace in it.
        let old = try await TestDatabase.fresh(migrated: false)
        let bundled = try Migration.bundled()
        _ = try await Database.withDatabase(old, logger: TestDatabase.logger) { database in
            try await Migrator(migrations: Array(bundled.prefix(10))).migrate(database)
        }
        let fixture = try await CLIFixture.make()
        let file = fixture.folder.appendingPathComponent("old.dump").path
        let backup = try await HeraldCommand.run(
            ["db", "backup", file],
            environment: ["DATABASE_URL": old.url, "HERALD_HOME": fixture.folder.appendingPathComponent("home").path]
        )
        #expect(backup.succeeded, "\(backup.standardError)")

        let restore = try await fixture.run("db", "restore", file)
        #expect(restore.succeeded, "\(restore.standardError)")
        for migration in bundled.dropFirst(10) { #expect(restore.standardOutput.contains("applied \(migration.name)")) }
        #expect(try await Self.appliedMigrations(fixture.database) == bundled.map(\.name))
        _ = try await fixture.createCampaign()  // the app works on it
    }
}
