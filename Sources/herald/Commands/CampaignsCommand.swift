import ArgumentParser
import Foundation
import HeraldCore
import Jobs
import Scheduling
import Storage

/// `herald campaigns create|list|show`.
struct CampaignsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "campaigns",
        abstract: "Create and inspect campaigns.",
        subcommands: [Create.self, List.self, Show.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a campaign from a JSON or YAML file; prints its slug.",
            discussion: """
                name: Trailblazer spring sale
                slug: trailblazer-spring        (optional)
                primary_metric: click           (optional: \(Metric.names); revenue = conversion value per impression)
                channels: [x, instagram]
                destination: https://example.com/shoes   (optional)
                schedule: {cron: "0 9 * * MON-FRI", tz: Europe/Berlin}   (optional)
                variants:
                  - {key: A, text: "Trail season is here."}
                  - {key: B, text: "Ready for your first ultra?"}
                """
        )
        @OptionGroup var options: CommonOptions
        @Argument(help: "The campaign file (.json, .yaml or .yml).") var file: String
        @Flag(help: "Print the created campaign as JSON.") var json = false

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw HeraldCore.ValidationError(location: file, field: "", reason: "cannot read the file (does it exist?)")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw HeraldCore.ValidationError(location: file, field: "", reason: "is not UTF-8 text")
            }
            let spec = try CampaignSpec(parsing: text, source: file)
            let schedule: Schedule?
            do {
                schedule = try CampaignSchedule.validate(spec)
            } catch {
                throw error.at(file)
            }
            let now = options.configuration().clock.now()
            let campaign = try await options.session().run { database, workspace in
                do {
                    return try await CampaignStore(database, workspace: workspace)
                        .create(spec, schedule: schedule.map { CampaignSchedule.attachment($0, now: now) })
                } catch let error as HeraldCore.ValidationError {
                    throw error.at(file)
                }
            }
            print(json ? try Terminal.json(campaign) : campaign.slug)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the workspace's campaigns.")
        @OptionGroup var options: CommonOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let campaigns = try await options.session().run { database, workspace in
                try await CampaignStore(database, workspace: workspace).list()
            }
            if json {
                print(try Terminal.json(campaigns))
                return
            }
            if campaigns.isEmpty {
                print("No campaigns yet: create one with `herald campaigns create FILE`.")
                return
            }
            let width = max(4, campaigns.map(\.slug.count).max() ?? 4)
            print("SLUG".padding(toLength: width, withPad: " ", startingAt: 0) + "  VARIANTS  IMPRESSIONS  NAME")
            for campaign in campaigns {
                print(
                    campaign.slug.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                        + String(campaign.variants).leftPadded(8) + "  " + Terminal.grouped(campaign.impressions).leftPadded(11)
                        + "  " + campaign.name
                )
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a campaign and its variant ids.")
        @OptionGroup var options: CommonOptions
        @Argument(help: "The campaign's slug or id.") var campaign: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let reference = campaign
            let found = try await options.session().run { database, workspace in
                try await CampaignStore(database, workspace: workspace).find(reference)
            }
            if json {
                print(try Terminal.json(found))
                return
            }
            print("\(found.name) (\(found.slug))")
            print("id:             \(found.id)")
            print("primary metric: \(found.primaryMetric.rawValue)")
            print("channels:       \(found.channels.map(\.rawValue).joined(separator: ", "))")
            if let destination = found.destination { print("destination:    \(destination)") }
            if let schedule = found.schedule { print("schedule:       \(schedule.cron) (\(schedule.tz))") }
            print("variants:")
            for variant in found.variants {
                print("  \(variant.key)  \(variant.id)  \(variant.text)")
            }
        }
    }
}
