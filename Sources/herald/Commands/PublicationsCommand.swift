import ArgumentParser
import Foundation
import HeraldCore
import Storage

/// `herald publications list CAMPAIGN [--state S] [--json]`: what a campaign published or will publish.
struct PublicationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publications",
        abstract: "What campaigns publish: each variant on a channel at a fire, as it goes out.",
        subcommands: [List.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a campaign's publications, newest first.")
        @OptionGroup var options: CommonOptions
        @Argument(help: "The campaign's slug or id.") var campaign: String
        @Option(help: "Only publications in this state (scheduled, sending, published, failed, cancelled, dry_run).") var state: String?

        static let states = ["scheduled", "sending", "published", "failed", "cancelled", "dry_run"]

        func validate() throws {
            if let state, !Self.states.contains(state) {
                throw ArgumentParser.ValidationError("--state: \"\(state)\" is not one of \(Self.states.joined(separator: ", "))")
            }
        }
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let reference = campaign
            let publicURL = options.configuration().publicURL
            let (found, publications) = try await options.session().run { database, workspace in
                let found = try await CampaignStore(database, workspace: workspace).find(reference)
                return (found, try await PublicationStore(database).list(workspace: workspace, campaign: found.id))
            }
            let keys = Dictionary(uniqueKeysWithValues: found.variants.map { ($0.id, $0.key) })
            let lines = publications.filter { state == nil || $0.status == state }.map {
                PublicationLine($0, variantKey: keys[$0.variant] ?? "?", publicURL: publicURL)
            }
            if json {
                print(try Terminal.json(lines))
                return
            }
            if lines.isEmpty {
                print("No publications\(state.map { " in state \($0)" } ?? ""): fire the campaign with `herald campaigns publish \(found.slug)`.")
                return
            }
            if found.dryRun { print("dry run: nothing was posted") }
            for line in lines {
                var text = "\(line.id)  \(line.channel.padding(toLength: 9, withPad: " ", startingAt: 0))  \(line.variant)  \(line.state)  \(line.trackingURL)"
                if let url = line.providerURL ?? line.providerID { text += "  \(url)" }
                if let error = line.error { text += "  (\(line.failureClass.map { "\($0): " } ?? "")\(error))" }
                print(text)
            }
        }
    }
}
