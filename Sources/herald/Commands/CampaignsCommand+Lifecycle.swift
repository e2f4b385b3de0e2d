import ArgumentParser
import Foundation
import HeraldCore
import Jobs
import Logging
import Scheduling
import Storage

/// `herald campaigns start|pause|resume|end|archive CAMPAIGN`: one lifecycle action each, printing the move.
protocol CampaignLifecycleCommand: AsyncParsableCommand {
    static var action: CampaignAction { get }
    var options: CommonOptions { get }
    var campaign: String { get }
}

extension CampaignLifecycleCommand {
    func run() async throws {
        let reference = campaign
        let now = options.configuration().clock.now()
        let (found, transition) = try await options.session().run { database, workspace in
            let store = CampaignStore(database, workspace: workspace)
            let found = try await store.find(reference)
            return (found, try await CampaignSchedule.apply(Self.action, to: found.id, in: store, now: now))
        }
        var line = "\(found.slug): \(transition.from.rawValue) -> \(transition.to.rawValue)"
        if transition.cancelledPublications > 0 {
            line += "; \(transition.cancelledPublications) queued publication\(transition.cancelledPublications == 1 ? "" : "s") cancelled"
        }
        print(line)
    }
}

extension CampaignsCommand {
    struct Start: CampaignLifecycleCommand {
        static let configuration = CommandConfiguration(abstract: "Start a draft campaign: its schedule begins from now.")
        static let action = CampaignAction.start
        @OptionGroup var options: CommonOptions
        @Argument(help: "The campaign's slug or id.") var campaign: String
    }

    struct Pause: CampaignLifecycleCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pause a campaign: it fires nothing, and its queued publications are cancelled."
        )
        static let action = CampaignAction.pause
        @OptionGroup var options: CommonOptions
        @Argument(help: "The campaign's slug or id.") var campaign: String
    }

    struct Resume: CampaignLifecycleCommand {
        static let configuration = CommandConfiguration(
            abstract: "Resume a paused campaign: its schedule goes on from now (fires missed while paused are skipped)."
        )
        static let action = CampaignAction.resume
        @OptionGroup var options: CommonOptions
        @Argument(help: "The campaign's slug or id.") var campaign: String
    }

    struct End: CampaignLifecycleCommand {
        static let configuration = CommandConfiguration(
            abstract: "End a campaign: nothing more is published; its links keep counting and its reports stay."
        )
        static let action = CampaignAction.end
        @OptionGroup var options: CommonOptions
        @Argument(help: "The campaign's slug or id.") var campaign: String
    }

    struct Archive: CampaignLifecycleCommand {
        static let configuration = CommandConfiguration(abstract: "Archive an ended (or draft) campaign: kept for its results only.")
        static let action = CampaignAction.archive
        @OptionGroup var options: CommonOptions
        @Argument(help: "The campaign's slug or id.") var campaign: String
    }

    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fire a campaign once now, as its schedule would: prints how many publications were queued."
        )
        @OptionGroup var options: CommonOptions
        @Argument(help: "The campaign's slug or id.") var campaign: String
        @Flag(help: "Print the publications as JSON.") var json = false

        func run() async throws {
            let reference = campaign
            let configuration = options.configuration()
            let now = configuration.clock.now()
            let (found, publications) = try await options.session().run { database, workspace in
                let found = try await CampaignStore(database, workspace: workspace).find(reference)
                guard found.status.publishes else {
                    var hint = ""
                    if found.status == .draft { hint = "; start it first (herald campaigns start \(found.slug))" }
                    if found.status == .paused { hint = "; resume it first (herald campaigns resume \(found.slug))" }
                    throw ConflictError("campaign \(found.slug) is \(found.status.rawValue) and publishes nothing\(hint)")
                }
                if let problem = try await CampaignStore(database, workspace: workspace).publishingProblem(found) { throw problem }
                let fire = CampaignFire(database: database, publicURL: configuration.publicURL, logger: .init(label: "herald.publish"))
                return (found, try await fire.fire(found, at: now, now: now))
            }
            if json {
                let keys = Dictionary(uniqueKeysWithValues: found.variants.map { ($0.id, $0.key) })
                print(
                    try Terminal.json(
                        publications.map { PublicationLine($0, variantKey: keys[$0.variant] ?? "?", publicURL: configuration.publicURL) }
                    )
                )
                return
            }
            print("\(publications.count) publication\(publications.count == 1 ? "" : "s") queued")
            let held = found.variants.filter { !$0.review.publishes }
            if !held.isEmpty {
                print(
                    "not published, not approved: \(held.map { "\($0.key) (\($0.review.rawValue))" }.joined(separator: ", ")) "
                        + "(see `herald variants review \(found.slug)`)"
                )
            }
            if let audience = found.audience, !found.dryRun, found.channels.contains(.email) {
                let share = audience.testShare.map { "the test share (\(Int(($0 * 100).rounded()))%) first" } ?? "everyone at once"
                print("email: sending to list \(audience.list), \(share)")
            }
            for publication in publications {
                print(
                    "  \(publication.channel)  \(publication.id.uuidString.lowercased())  \(TrackingLink.clickURL(base: configuration.publicURL, code: publication.trackingCode))"
                )
            }
        }
    }
}

extension CampaignsCommand {
    struct Split: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set how a campaign's variants share each channel: KEY=WEIGHT for every variant, or --equal.",
            discussion: """
                herald campaigns split spring A=0.7 B=0.3     (weights from 0 to 1, normalised per channel; 0 stops a variant)
                herald campaigns split spring --equal         (equal shares again)
                """
        )
        @OptionGroup var options: CommonOptions
        @Argument(help: "The campaign's slug or id.") var campaign: String
        @Argument(help: "KEY=WEIGHT for every variant.") var weights: [String] = []
        @Flag(help: "Equal shares for every variant.") var equal = false

        func run() async throws {
            guard equal != !weights.isEmpty else {
                throw HeraldCore.ValidationError(field: "weights", reason: "give KEY=WEIGHT for every variant, or --equal")
            }
            var parsed: [String: Double] = [:]
            for (index, item) in weights.enumerated() {
                let parts = item.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, let weight = Double(parts[1]) else {
                    throw HeraldCore.ValidationError(field: "weights[\(index)]", reason: "\"\(item)\" is not KEY=WEIGHT (e.g. A=0.7)")
                }
                parsed[String(parts[0])] = weight
            }
            let reference = campaign
            let split = equal ? nil : parsed
            let updated = try await options.session().run { database, workspace in
                let store = CampaignStore(database, workspace: workspace)
                return try await store.setSplit(try await store.find(reference).id, weights: split)
            }
            for channel in updated.channels {
                let shares = CampaignSplit.shares(of: updated.variants(for: channel))
                let line = updated.variants(for: channel).map { "\($0.key) \(String(format: "%.0f%%", (shares[$0.id] ?? 0) * 100))" }
                print("\(channel.rawValue): \(line.joined(separator: ", "))")
            }
        }
    }
}
