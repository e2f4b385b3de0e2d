import ArgumentParser
import EmbeddedPostgres
import Foundation
import Storage

extension DBCommand {
    /// `herald db backup FILE`: a pg_dump custom-format archive of Herald's database.
    struct Backup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a backup of Herald's database to FILE (pg_dump custom format; the embedded cluster or DATABASE_URL).",
            discussion: "Safe while Herald runs: pg_dump reads one consistent snapshot. Restore it with `herald db restore FILE`."
        )
        @OptionGroup var options: CommonOptions
        @Argument(help: "The archive to write (replaced if it exists, only once the new one is complete).") var file: String

        func run() async throws {
            let session = options.session()
            let archive = try await DatabaseArchive.locate()
            let target = try await session.resolve()
            let url = URL(fileURLWithPath: file)
            try await archive.backup(target.archiveTarget, to: url)
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
            print("backed up \(target.description) to \(url.path) (\(size) bytes)")
        }
    }

    /// `herald db restore FILE`: replaces Herald's database with an archive's contents, then migrates.
    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace Herald's database with the backup in FILE, then apply migrations newer than the backup.",
            discussion: """
                Stop `herald serve`, `herald worker` and `herald scheduler` first. When the database holds anything, it is \
                first saved to $HERALD_HOME/backups/before-restore-<time>.dump (unless --no-safety-backup), then emptied, \
                and the archive is restored in one transaction.
                """
        )
        @OptionGroup var options: CommonOptions
        @Argument(help: "A pg_dump custom-format archive, as `herald db backup` writes.") var file: String
        @Flag(help: "Do not save the database's current contents before replacing them.") var noSafetyBackup = false

        func run() async throws {
            let session = options.session()
            let archive = try await DatabaseArchive.locate()
            let url = URL(fileURLWithPath: file)
            let summary = try await archive.inspect(url)  // before anything is touched: a bad file changes nothing
            let target = try await session.resolve()
            let logger = options.logger()
            let objects = try await Database.withDatabase(target, logger: logger) { database in try await database.publicObjectCount() }
            if objects > 0 && !noSafetyBackup {
                let folder = session.configuration.home.appendingPathComponent("backups")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
                let safety = folder.appendingPathComponent("before-restore-\(stamp).dump")
                try await archive.backup(target.archiveTarget, to: safety)
                print("saved the current database to \(safety.path)")
            }
            try await Database.withDatabase(target, logger: logger) { database in try await database.dropPublicObjects() }
            do {
                try await archive.restore(url, into: target.archiveTarget)
            } catch let error as EmbeddedPostgresError {
                throw CommandFailure(
                    message: "\(error.message); the database is now empty: restore another archive"
                        + (objects > 0 && !noSafetyBackup ? " or the safety backup named above" : "")
                )
            }
            let outcome = try await Database.withDatabase(target, logger: logger) { database in
                try await Migrator(migrations: try Migration.bundled()).migrate(database)
            }
            print("restored \(url.path) (\(summary.entries) entries) into \(target.description)")
            for name in outcome.applied { print("applied \(name)") }
        }
    }
}

extension DatabaseConfiguration {
    /// The same connection as pg_dump and pg_restore take it.
    var archiveTarget: DatabaseArchive.Target {
        DatabaseArchive.Target(host: host, port: port, username: username, password: password, database: database, sslMode: sslMode)
    }
}
