import ArgumentParser
import Foundation
import HeraldCore
import Scheduling
import Storage

extension CampaignsCommand {
    /// `herald campaigns winner CAMPAIGN VARIANT_KEY [--reason TEXT]`: a person chooses a test-then-send campaign's winner.
    struct Winner: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Choose the winner of a test-then-send campaign by hand: it goes to the rest of the audience.",
            discussion: """
                herald campaigns winner spring B --reason "B's subject fits the season"
                Refused when the campaign has no test share (audience.test_share), the variant is not one of its keys or
                is not written for the channel its list is sent on (email, or SMS), or a winner is already chosen (by a
                person, or by the analysis or the deadline); the error names who chose it and when. Recorded as chosen
                by "person", with the reason.
                """
        )
        @OptionGroup var options: CommonOptions
        @Argument(help: "The campaign's slug or id.") var campaign: String
        @Argument(help: "The winning variant's key (e.g. B).") var variant: String
        @Option(help: "Why this variant (shown in the report).") var reason: String?
        @Flag(help: "Print the recorded winner as JSON.") var json = false

        func run() async throws {
            let reference = campaign
            let (key, why) = (variant, reason)
            let now = options.configuration().clock.now()
            let (slug, winner) = try await options.session().run { database, workspace in
                let store = CampaignStore(database, workspace: workspace)
                let found = try await store.find(reference)
                return (
                    found.slug, try await store.chooseWinnerByHand(found.id, variantKey: key, chosenBy: WinnerChoice.byPerson, reason: why, at: now)
                )
            }
            if json {
                print(try Terminal.json(winner))
                return
            }
            print(
                "\(slug): winner \(winner.variantKey), chosen by \(winner.chosenBy) at \(Timestamp.format(winner.chosenAt)); sending it to the rest"
            )
        }
    }
}
