import ArgumentParser
import Foundation
import Logging

/// The `herald` command line.
@main
struct Herald: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "herald",
        abstract: "Campaign scheduling and A/B analytics on PostgreSQL.",
        discussion: """
            Environment: DATABASE_URL (an existing PostgreSQL; without it Herald runs its own cluster under \
            HERALD_HOME/pg), HERALD_HOME (default ~/.herald, /var/lib/herald as root), HERALD_WORKSPACE \
            (default 'default'), HERALD_LOG_LEVEL (default warning), HERALD_SECRET_KEY (the key accounts' credentials are encrypted under; \
            default: the key file HERALD_HOME/secret.key).
            """,
        subcommands: [
            DemoCommand.self, CampaignsCommand.self, ImportCommand.self, ScoreCommand.self, ReportCommand.self, ReportsCommand.self,
            WorkerCommand.self, SchedulerCommand.self, JobsCommand.self, SchedulesCommand.self, CronCommand.self, BenchCommand.self,
            WorkspacesCommand.self,
            DBCommand.self, VariantsCommand.self, ServeCommand.self, TokensCommand.self, PublicationsCommand.self, ChannelsCommand.self,
            SecretsCommand.self, WebhooksCommand.self, ContactsCommand.self, ListsCommand.self, AutopilotCommand.self,
            UsersCommand.self,
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
        } catch let error as any UserFacingError {
            Terminal.error(error.userMessageLines.map { "herald: \($0)" }.joined(separator: "\n"))
            Foundation.exit(error.exitStatus)
        } catch {
            exit(withError: error)
        }
    }
}
