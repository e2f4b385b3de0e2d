import ArgumentParser
import EmbeddedPostgres
import Foundation
import Storage

/// `herald db start|stop|status|migrate|url|backup|restore`.
struct DBCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Manage Herald's database (its own embedded cluster unless DATABASE_URL is set).",
        subcommands: [Start.self, Stop.self, Status.self, Migrate.self, URLCommand.self, Backup.self, Restore.self]
    )

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create (first time) and start the embedded cluster.")
        @OptionGroup var options: CommonOptions

        func run() async throws {
            let session = options.session()
            guard session.configuration.databaseURL == nil else {
                print("DATABASE_URL is set: Herald uses that server and has no cluster of its own to start.")
                return
            }
            let cluster = try await session.embeddedCluster()
            let credentials = try await cluster.start()
            try await Database.createDatabaseIfMissing(try DatabaseConfiguration(url: try cluster.url(database: "herald")), logger: options.logger())
            print("PostgreSQL is running on 127.0.0.1:\(credentials.port) (data: \(cluster.dataDirectory.path))")
        }
    }

    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the embedded cluster.")
        @OptionGroup var options: CommonOptions

        func run() async throws {
            let session = options.session()
            let cluster = try await session.embeddedCluster()
            guard case .running = try await cluster.status() else {
                print("PostgreSQL is not running.")
                return
            }
            try await cluster.stop()
            print("PostgreSQL stopped.")
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Say whether the database is reachable and up to date.")
        @OptionGroup var options: CommonOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let session = options.session()
            struct Report: Encodable {
                var mode: String
                var state: String
                var port: Int?
                var data: String?
                var url: String?
            }
            var report: Report
            if let url = session.configuration.databaseURL {
                let configuration = try DatabaseConfiguration(url: url)
                do {
                    try await Database.withDatabase(configuration, logger: options.logger()) { database in
                        try await database.ping()
                    }
                    report = Report(mode: "external", state: "reachable", url: configuration.description)
                } catch {
                    report = Report(mode: "external", state: "unreachable: \(StorageError.describe(error))", url: configuration.description)
                }
            } else {
                let cluster = try await session.embeddedCluster()
                switch try await cluster.status() {
                case .notInitialized:
                    report = Report(mode: "embedded", state: "not created (run `herald db start`)", data: cluster.dataDirectory.path)
                case .stopped:
                    report = Report(mode: "embedded", state: "stopped", data: cluster.dataDirectory.path)
                case .running(let port):
                    report = Report(mode: "embedded", state: "running", port: port, data: cluster.dataDirectory.path)
                }
            }
            if json {
                print(try Terminal.json(report))
            } else {
                var line = "\(report.mode) database: \(report.state)"
                if let port = report.port { line += " on 127.0.0.1:\(port)" }
                if let url = report.url { line += " (\(url))" }
                if let data = report.data { line += " — data in \(data)" }
                print(line)
            }
        }
    }

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply pending migrations from sql/.")
        @OptionGroup var options: CommonOptions

        func run() async throws {
            let session = options.session()
            let target = try await session.resolve()
            let outcome = try await Database.withDatabase(target, logger: options.logger()) { database in
                try await Migrator(migrations: try Migration.bundled()).migrate(database)
            }
            if outcome.applied.isEmpty {
                print("Up to date (\(outcome.alreadyApplied.count) migrations applied).")
            } else {
                for name in outcome.applied { print("applied \(name)") }
            }
        }
    }

    struct URLCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "url", abstract: "Print the connection URL (starts the embedded cluster).")
        @OptionGroup var options: CommonOptions

        func run() async throws {
            print(try await options.session().resolve().url)
        }
    }
}
