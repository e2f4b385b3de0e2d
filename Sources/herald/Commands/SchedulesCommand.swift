import ArgumentParser
import Foundation
import HeraldCore
import Jobs
import Scheduling
import Storage

/// `herald schedules create|list|delete`.
struct SchedulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedules",
        abstract: "Recurring jobs: each fire becomes one job, exactly once, however many schedulers run.",
        subcommands: [Create.self, List.self, Delete.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a schedule.")
        @OptionGroup var options: CommonOptions
        @Argument(help: "A name, unique in the workspace.") var name: String
        @Option(help: "A cron expression, every:<n><s|m|h|d> or once:<ISO 8601>.") var rule: String
        @Option(help: "IANA time zone of a cron rule.") var tz: String = "UTC"
        @Option(help: "The job kind each fire enqueues (\(JobKind.names)).") var job: String
        @Option(help: "The job's JSON payload.") var payload: String = "{}"
        @Option(
            help: "Campaign slug: the payload of a job about this campaign (\(JobKind.aboutOneCampaign.map(\.rawValue).joined(separator: ", ")))."
        ) var campaign: String?
        @Option(help: "After downtime: skip missed fires, or fire_once (the latest).") var missed: MissedFirePolicy = .fireOnce
        @Option(help: "Attempts per job.") var maxAttempts: Int = 5

        func run() async throws {
            let now = options.configuration().clock.now()
            let schedule = try Schedule(parsing: rule, timeZone: tz, anchor: now)
            let kind = try JobKind(parsing: job, field: "--job")
            guard (try? JSONSerialization.jsonObject(with: Data(payload.utf8))) is [String: Any] else {
                throw HeraldCore.ValidationError(field: "--payload", reason: "must be a JSON object")
            }
            let stored = try await options.session().run { database, workspace in
                var scheduled = EncodedJobPayload(kind: kind, unvalidatedJSON: payload)
                if let campaign {
                    let found = try await CampaignStore(database, workspace: workspace).find(campaign)
                    guard let about = kind.payload(campaign: found.id, workspace: workspace) else {
                        throw HeraldCore.ValidationError(
                            field: "--campaign",
                            reason:
                                "a \(kind.rawValue) job is not about one campaign (these are: \(JobKind.aboutOneCampaign.map(\.rawValue).joined(separator: ", ")))"
                        )
                    }
                    scheduled = about
                }
                return try await ScheduleStore(database).create(
                    name: name,
                    rule: schedule.ruleText,
                    timeZone: tz,
                    workspace: workspace,
                    missed: missed.rawValue,
                    job: scheduled,
                    jobMaxAttempts: maxAttempts,
                    nextFireAt: schedule.nextFire(after: now),
                    now: now
                )
            }
            print("schedule \(stored.name): next fire \(stored.nextFireAt.map(Timestamp.format) ?? "none")")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the workspace's schedules.")
        @OptionGroup var options: CommonOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let schedules = try await options.session().run { database, workspace in
                try await ScheduleStore(database).list(workspace: workspace)
            }
            if json {
                print(try Terminal.json(schedules))
                return
            }
            for schedule in schedules {
                print(
                    "\(schedule.name)  \(schedule.rule) (\(schedule.timeZone))  \(schedule.jobKind)  next \(schedule.nextFireAt.map(Timestamp.format) ?? "none")"
                )
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete one of the workspace's schedules, by name or id.",
            discussion: "Fires already turned into jobs stay queued (see `herald jobs list`); no new fire is made."
        )
        @OptionGroup var options: CommonOptions
        @Argument(help: "The schedule's name (as `schedules list` prints it) or id.") var schedule: String

        func run() async throws {
            let deleted = try await options.session().run { database, workspace in
                let store = ScheduleStore(database)
                let found = try await store.find(schedule, workspace: workspace)
                try await store.delete(found.id, workspace: workspace)
                return found
            }
            print("deleted schedule \(deleted.name)")
        }
    }
}
