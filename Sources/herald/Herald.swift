import ArgumentParser
import EmbeddedPostgres
import Foundation
import HeraldCore
import Logging
import Storage

/// The `herald` command line.
@main
struct Herald: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "herald",
        abstract: "Campaign scheduling and A/B analytics on PostgreSQL.",
        discussion: """
            Environment: DATABASE_URL (an existing PostgreSQL; without it Herald runs its own cluster under \
            HERALD_HOME/pg), HERALD_HOME (default ~/.herald, /var/lib/herald as root), HERALD_WORKSPACE \
            (default 'default'), HERALD_LOG_LEVEL (default warning).
            """,
        subcommands: [
            DemoCommand.self, CampaignsCommand.self, ImportCommand.self, ScoreCommand.self, ReportCommand.self, ReportsCommand.self,
            WorkerCommand.self, SchedulerCommand.self, JobsCommand.self, SchedulesCommand.self, CronCommand.self, BenchCommand.self, WorkspacesCommand.self,
            DBCommand.self, VariantsCommand.self, ServeCommand.self, TokensCommand.self,
        ]
    )

    /// Parses, runs, and turns any error into one clear line on standard error and a non-zero exit.
    static func main() async {
        let configuration = HeraldConfiguration()
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = Logger.Level(rawValue: configuration.logLevel) ?? .warning
            return handler
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as ValidationErrors {
            Terminal.error(error.description.split(separator: "\n").map { "herald: \($0)" }.joined(separator: "\n"))
            Foundation.exit(1)
        } catch let error as HeraldCore.ValidationError {
            Terminal.error("herald: \(error)")
            Foundation.exit(1)
        } catch let error as NotFoundError {
            Terminal.error("herald: \(error)")
            Foundation.exit(1)
        } catch let error as StorageError {
            Terminal.error("herald: \(error)")
            Foundation.exit(1)
        } catch let error as EmbeddedPostgresError {
            Terminal.error("herald: \(error)")
            Foundation.exit(1)
        } catch let error as CommandFailure {
            Terminal.error("herald: \(error.message)")
            Foundation.exit(error.status)
        } catch {
            exit(withError: error)
        }
    }
}

/// A command's own failure: the message is already written for the user.
struct CommandFailure: Error {
    var message: String
    var status: Int32 = 1
}

/// Options every database command shares.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "Workspace slug (default: HERALD_WORKSPACE or 'default').")
    var workspace: String?

    /// The configuration from the environment, with flags applied.
    func configuration() -> HeraldConfiguration {
        var configuration = HeraldConfiguration()
        if let workspace { configuration.workspace = workspace }
        return configuration
    }

    func logger(_ label: String = "herald") -> Logger {
        Logger(label: label)
    }

    func session() -> DatabaseSession {
        DatabaseSession(configuration: configuration(), logger: logger())
    }
}
