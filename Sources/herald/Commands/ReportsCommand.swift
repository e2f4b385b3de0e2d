import ArgumentParser
import Foundation
import HeraldCore
import Jobs
import Reports
import Scheduling
import Storage

/// `herald reports schedule|overview`.
struct ReportsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reports",
        abstract: "Report schedules (optionally posting a signed summary to a webhook) and the workspace overview page.",
        subcommands: [Schedule.self, Overview.self]
    )

    struct Schedule: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a campaign's report on a schedule, e.g. every Monday 09:00 in the workspace's time zone.",
            discussion: """
                Each fire runs a `report` job on a worker: it analyzes the campaign, writes the report under the \
                worker's --reports folder and, with --webhook, posts a JSON summary signed with HMAC-SHA256 \
                (headers Herald-Timestamp and Herald-Signature: v1=<hex of HMAC(secret, timestamp + "." + body)>). \
                The secret stays out of the database: --webhook-secret-env names a variable (HERALD_WEBHOOK_…) \
                that the worker's environment sets.
                """
        )
        @OptionGroup var options: CommonOptions
        @Argument(help: "The campaign's slug or id.") var campaign: String
        @Option(help: "A cron expression (five fields, names and macros allowed).") var cron: String = "0 9 * * MON"
        @Option(help: "IANA time zone of the cron expression.") var tz: String = "UTC"
        @Option(help: "html, md, csv or json.") var format: ReportFormat = .html
        @Option(help: "POST a signed JSON summary here after each report (http or https).") var webhook: String?
        @Option(help: "The worker's environment variable holding the webhook's secret (must start with HERALD_WEBHOOK_).")
        var webhookSecretEnv: String?
        @Option(help: "The schedule's name (default report:<slug>).") var name: String?

        func validate() throws {
            if let webhook { try WebhookSender.validate(url: webhook) }
            if let webhookSecretEnv {
                guard webhook != nil else { throw ArgumentParser.ValidationError("--webhook-secret-env needs --webhook") }
                try WebhookSecrets.validate(name: webhookSecretEnv)
            }
        }

        func run() async throws {
            let now = options.configuration().clock.now()
            let schedule = try Scheduling.Schedule(parsing: cron, timeZone: tz, anchor: now)
            let reference = campaign
            let stored = try await options.session().run { database, workspace in
                let found = try await CampaignStore(database, workspace: workspace).find(reference)
                let payload = ReportPayload(
                    campaign: found.id,
                    workspace: workspace,
                    format: format,
                    webhookURL: webhook,
                    webhookSecretEnv: webhookSecretEnv
                )
                return try await ScheduleStore(database).create(
                    name: name ?? "report:\(found.slug)",
                    rule: schedule.ruleText,
                    timeZone: tz,
                    workspace: workspace,
                    campaign: found.id,
                    job: EncodedJobPayload(payload),
                    nextFireAt: schedule.nextFire(after: now),
                    now: now
                )
            }
            print("schedule \(stored.name): next fire \(stored.nextFireAt.map(Timestamp.format) ?? "none")")
        }
    }

    struct Overview: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write DIR/<workspace>/index.html: every campaign of the workspace with its status and latest result."
        )
        @OptionGroup var options: CommonOptions
        @Option(help: "The reports folder.") var out: String = "reports"

        func run() async throws {
            let now = options.configuration().clock.now()
            let publisher = ReportPublisher(directory: URL(fileURLWithPath: out))
            let file = try await options.session().run { database, workspace in
                try await publisher.writeOverview(
                    database: database,
                    workspace: workspace,
                    name: try await WorkspaceStore(database).name(of: workspace),
                    at: now
                )
            }
            print(file.path)
        }
    }
}
