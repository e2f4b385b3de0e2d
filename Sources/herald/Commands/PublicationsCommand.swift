import ArgumentParser
import Foundation
import HeraldCore
import Storage

/// `herald publications list [CAMPAIGN] [--state S] [--json]` and `herald publications retry ID`: what campaigns
/// published or will publish, and sending a failed or cancelled one again.
struct PublicationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publications",
        abstract: "What campaigns publish: each variant on a channel at a fire, as it goes out.",
        subcommands: [List.self, Retry.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List publications, newest first: a campaign's, or the workspace's (e.g. every failed one).",
            discussion: "States: \(PublicationState.names). A dry_run publication went to the dry-run sink: nothing was posted."
        )
        @OptionGroup var options: CommonOptions
        @Argument(help: "The campaign's slug or id (default: every campaign of the workspace).") var campaign: String?
        @Option(help: "Only publications in this state (\(PublicationState.names)).") var state: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let reference = campaign
            let wanted = try state.map { text throws(HeraldCore.ValidationError) in try PublicationState(parsing: text, field: "--state") }
            let publicURL = options.configuration().publicURL
            let (found, listed) = try await options.session().run { database, workspace in
                var found: Campaign?
                if let reference { found = try await CampaignStore(database, workspace: workspace).find(reference) }
                return (found, try await PublicationStore(database).list(workspace: workspace, campaign: found?.id, state: wanted))
            }
            let lines = listed.map { PublicationLine($0, publicURL: publicURL) }
            if json {
                print(try Terminal.json(lines))
                return
            }
            if lines.isEmpty {
                let inState = wanted.map { " in state \($0.rawValue)" } ?? ""
                if let found {
                    print("No publications\(inState): fire the campaign with `herald campaigns publish \(found.slug)`.")
                } else {
                    print("No publications\(inState).")
                }
                return
            }
            for (line, item) in zip(lines, listed) {
                var text = found == nil ? "\(item.campaignSlug)  " : ""
                text += "\(line.id)  \(line.channel.padding(toLength: 9, withPad: " ", startingAt: 0))  \(line.variant)  \(line.state)"
                if item.publication.status == PublicationState.dryRun.rawValue { text += " (dry run: nothing was posted)" }
                if let account = line.account { text += "  @\(account)" }
                text += "  \(line.providerURL ?? line.trackingURL)"
                if item.publication.status == PublicationState.failed.rawValue || item.publication.status == PublicationState.cancelled.rawValue {
                    let reason = [item.publication.failureClass, line.error].compactMap { $0 }.joined(separator: ": ")
                    if !reason.isEmpty { text += "  — \(reason)" }
                }
                print(text)
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a failed or cancelled publication again (earlier attempts are reconciled first: never a second post)."
        )
        @OptionGroup var options: CommonOptions
        @Argument(help: "The publication's id (from `herald publications list`).") var id: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            guard let uuid = UUIDText.parse(id.lowercased()) else {
                throw HeraldCore.ValidationError(field: "id", reason: "\"\(id)\" is not a publication id")
            }
            let publicURL = options.configuration().publicURL
            let listed = try await options.session().run { database, workspace in
                let store = PublicationStore(database)
                try await store.retry(uuid, workspace: workspace)
                return try await store.listed(uuid, workspace: workspace)
            }
            let line = PublicationLine(listed, publicURL: publicURL)
            if json {
                print(try Terminal.json(line))
            } else {
                print("\(line.id) \(line.state): it goes out again (retry \(listed.publication.retries))")
            }
        }
    }
}
