import ArgumentParser
import Channels
import Foundation
import HeraldCore
import Jobs
import Scheduling
import Storage

/// `herald campaigns create|list|show|publish|split|start|pause|resume|end|archive|winner`.
struct CampaignsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "campaigns",
        abstract: "Create, inspect, publish and move campaigns through their lifecycle.",
        subcommands: [
            Create.self, List.self, Show.self, Publish.self, Split.self, Start.self, Pause.self, Resume.self, End.self, Archive.self,
            Winner.self,
        ]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a campaign from a JSON or YAML file; prints its slug.",
            discussion: """
                name: Trailblazer spring sale
                slug: trailblazer-spring        (optional)
                primary_metric: click           (optional: \(Metric.names); revenue = conversion value per impression)
                channels: [x, email]            (\(HeraldCore.Channel.names))
                destination: https://example.com/shoes   (optional; links in posts become tracking links to it)
                schedule: {cron: "0 9 * * MON-FRI", tz: Europe/Berlin, until: 2026-12-31T18:00:00+01:00, count: 10}
                                                (optional; until and count optional)
                status: draft                   (optional: draft waits for `campaigns start`; default scheduled)
                variants:                       (at least 1; 2 or more make a test)
                  - {key: A, text: "Trail season is here.", channels: [x]}
                  - {key: B, text: "Ready for your first ultra?", channels: [x]}
                  - {key: C, channels: [email], subject: "Trail season", preheader: "20% off", body: "Hello..."}
                  - {key: D, text: "New colours.", image: {file: shoes.png, alt: "Red trail shoes on a rock"}}
                A variant may carry an image (image: {file: PATH, alt: TEXT} or {url: URL, alt: TEXT}; up to 4 as
                images: [...]): alt text is required; files are relative to the campaign file's folder; PNG, JPEG, GIF or
                WebP, read or fetched now and stored in the database. Instagram needs one; SMS and email take none.
                A variant goes to every channel of the campaign unless it names its own, and must meet each one's rules
                as it goes out (tracking link included; SMS with the workspace's opt-out line).
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
            // Images are read (relative to the campaign file's folder) or fetched now, and stored with the campaign.
            let folder = URL(fileURLWithPath: file).deletingLastPathComponent()
            let images: [[ImageUpload]]
            do {
                images = try await ImageLoader(directory: folder).load(spec)
            } catch let error as HeraldCore.ValidationError {
                throw error.at(file)
            }
            let campaign = try await options.session().run { database, workspace in
                do {
                    return try await CampaignStore(database, workspace: workspace)
                        .create(
                            spec,
                            images: images,
                            schedule: schedule.map { CampaignSchedule.attachment($0, now: now) },
                            trackingLinkLength: CampaignChannelCheck.linkLength(publicURL: options.configuration().publicURL),
                            author: .commandLine
                        )
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
            print("SLUG".padding(toLength: width, withPad: " ", startingAt: 0) + "  STATUS     VARIANTS  IMPRESSIONS  NAME")
            for campaign in campaigns {
                let slug = campaign.slug.padding(toLength: width, withPad: " ", startingAt: 0)
                let status = campaign.status.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)
                let counts = String(campaign.variants).leftPadded(8) + "  " + Terminal.grouped(campaign.impressions).leftPadded(11)
                print("\(slug)  \(status)  \(counts)  \(campaign.name)")
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
            let (found, schedules) = try await options.session().run { database, workspace in
                let found = try await CampaignStore(database, workspace: workspace).find(reference)
                return (found, try await ScheduleStore(database).list(workspace: workspace, campaign: found.id))
            }
            if json {
                print(try Terminal.json(found))
                return
            }
            print("\(found.name) (\(found.slug))")
            if found.dryRun { print("dry run: nothing was posted (its publications go to the dry-run sink only)") }
            print("id:             \(found.id)")
            print("status:         \(found.status.rawValue)")
            print("primary metric: \(found.primaryMetric.rawValue)")
            print("channels:       \(found.channels.map(\.rawValue).joined(separator: ", "))")
            if let destination = found.destination { print("destination:    \(destination)") }
            if let audience = found.audience {
                var line = "list \(audience.list)"
                if let share = audience.testShare { line += ", test share \(Int((share * 100).rounded()))%" }
                if let within = audience.decideWithin { line += ", decide within \(within)" }
                print("audience:       \(line)")
            }
            if let schedule = found.schedule {
                var line = "\(schedule.cron) (\(schedule.tz))"
                if let until = schedule.until { line += ", until \(Timestamp.format(until))" }
                if let count = schedule.count { line += ", \(count) fire\(count == 1 ? "" : "s")" }
                print("schedule:       \(line)")
            }
            for schedule in schedules {
                let state =
                    !schedule.enabled
                    ? "not firing (\(found.status.rawValue))" : schedule.nextFireAt.map { "next fire \(Timestamp.format($0))" } ?? "over"
                let fires =
                    schedule.maxFires.map { "\(schedule.fireCount) of \($0) fires" }
                    ?? "\(schedule.fireCount) fire\(schedule.fireCount == 1 ? "" : "s")"
                print("                \(schedule.name): \(state); \(fires) so far")
            }
            print(found.variants.count == 1 ? "variant (no test: one variant is scheduled and measured):" : "variants:")
            for variant in found.variants {
                let share = variant.weight.map { String(format: "  weight %.2f", $0) } ?? ""
                print(
                    "  \(variant.key)  \(variant.id)  [\(variant.channels.map(\.rawValue).joined(separator: ", "))]\(share)  \(variant.review.rawValue)"
                )
                if let email = variant.email {
                    print("      subject: \(email.subject)")
                    if !email.preheader.isEmpty { print("      preheader: \(email.preheader)") }
                }
                print("      \(variant.text.replacingOccurrences(of: "\n", with: "\n      "))")
                for (number, image) in variant.media.enumerated() {
                    let size = ByteCount.describe(image.byteSize)
                    print("      image \(number + 1): \(image.mimeType) \(image.width) x \(image.height), \(size); alt: \(image.altText)")
                }
            }
        }
    }
}
