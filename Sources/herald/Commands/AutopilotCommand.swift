import ArgumentParser
import Autopilot
import Foundation
import HeraldCore
import Jobs
import Scheduling
import Storage

/// `herald autopilot …`: a campaign's autopilot mode and guard rails, and its actions (apply, dismiss, undo).
struct AutopilotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "autopilot",
        abstract: "Let Herald act on a campaign's analysis (off, suggest, auto), within guard rails; apply, dismiss or undo its actions.",
        discussion: """
            After each analysis, autopilot plans what the evidence supports: declare a winner (and send it to the rest of a
            test-then-send audience), stop losing variants, queue challengers, move the split toward the likelier winners.
            In suggest mode each action waits for a person (herald autopilot apply|dismiss ID); in auto mode it is applied at
            once. Every action keeps its reason, the analysis it came from and who applied it, and can be undone.
            """,
        subcommands: [Show.self, Set.self, Apply.self, Dismiss.self, Undo.self]
    )

    /// Who a person acting from the command line is, as the audit records it.
    static var person: AuditActor { .cli(login: ProcessInfo.processInfo.environment["USER"] ?? NSUserName()) }

    /// `herald autopilot show CAMPAIGN [--json]`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a campaign's autopilot mode, guard rails, allocation periods and actions.")
        @OptionGroup var options: CommonOptions
        @Argument(help: "The campaign's slug or id.") var campaign: String
        @Flag(help: "Print as JSON.") var json = false

        func run() async throws {
            let reference = campaign
            let shown = try await options.session().run { database, workspace in
                let found = try await CampaignStore(database, workspace: workspace).find(reference)
                return try await AutopilotStore(database, workspace: workspace).overview(campaign: found.id, slug: found.slug)
            }
            if json {
                print(try Terminal.json(shown))
                return
            }
            let rails = shown.rails
            print("\(shown.campaign): autopilot \(shown.mode)")
            print(
                "guard rails: minimum sample \(rails.minimumSample), at most \(Int(rails.maximumShift * 100))% of traffic moved per change, "
                    + "at most one change per \(Int(rails.minimumPeriod / 3_600)) h, at least \(Int(rails.minimumShare * 100))% per live variant, "
                    + "\(rails.challengerBudget) challengers, \(rails.postsPerAccountPerDay) posts per account per day"
            )
            for period in shown.periods {
                let split = period.weights.sorted { $0.key < $1.key }.map { "\($0.key) \(Int(($0.value * 100).rounded()))%" }.joined(separator: ", ")
                print("period \(period.number) from \(Timestamp.format(period.startedAt)): \(split) (\(period.reason))")
            }
            if shown.actions.isEmpty { print("no actions yet") }
            for action in shown.actions {
                let decided = action.decidedBy.map { " by \($0)" } ?? ""
                let undone = action.undoneBy.map { ", undone by \($0)" } ?? ""
                print("\(action.id.uuidString.lowercased())  \(action.state)\(decided)\(undone)  \(action.kind): \(action.reason)")
            }
        }
    }

    /// `herald autopilot set CAMPAIGN off|suggest|auto [--rails JSON]`.
    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a campaign's autopilot mode (off, suggest, auto) and, optionally, its guard rails.",
            discussion: """
                herald autopilot set spring auto --rails '{"maximum_shift": 0.1, "minimum_sample": 2000}'
                Guard rails (JSON; any left out keep their defaults): minimum_sample (1000), maximum_shift (0.2),
                minimum_period_hours (24), minimum_share (0.05), challenger_budget (3), posts_per_account_per_day (3),
                winner_probability (0.95).
                """
        )
        @OptionGroup var options: CommonOptions
        @Argument(help: "The campaign's slug or id.") var campaign: String
        @Argument(help: "off, suggest or auto.") var mode: String
        @Option(help: "Guard rails as a JSON object.") var rails: String?

        func run() async throws {
            let parsed = try AutopilotMode.parse(mode)
            var railsJSON: String?
            if let rails {
                do {
                    let decoded = try JSONDecoder().decode(GuardRails.self, from: Data(rails.utf8))
                    railsJSON = String(decoding: try JSONEncoder().encode(decoded), as: UTF8.self)
                } catch let error as GuardRailError {
                    throw HeraldCore.ValidationError(field: "--rails", reason: "\(error)")
                } catch {
                    throw HeraldCore.ValidationError(
                        field: "--rails",
                        reason: "is not a JSON object of guard rails (\(GuardRails.names.joined(separator: ", ")))"
                    )
                }
            }
            let reference = campaign
            let slug = try await options.session().run { database, workspace in
                let found = try await CampaignStore(database, workspace: workspace).find(reference)
                try await AutopilotStore(database, workspace: workspace).setSettings(campaign: found.id, mode: parsed.rawValue, railsJSON: railsJSON)
                return found.slug
            }
            print("\(slug): autopilot \(parsed.rawValue)")
        }
    }

    /// Runs `body` on the action `id` of the workspace with its campaign.
    static func onAction(
        _ id: String,
        options: CommonOptions,
        _ body: @Sendable @escaping (AutopilotStore, AutopilotStore.Action, Campaign, Date) async throws -> AutopilotStore.Action
    ) async throws {
        guard let uuid = UUID(uuidString: id) else {
            throw HeraldCore.ValidationError(field: "ID", reason: "\"\(id)\" is not an autopilot action id (a UUID)")
        }
        let now = options.configuration().clock.now()
        let action = try await options.session().run { database, workspace in
            let store = AutopilotStore(database, workspace: workspace)
            let action = try await store.action(uuid)
            let campaign = try await CampaignStore(database, workspace: workspace).find(action.campaign)
            return try await body(store, action, campaign, now)
        }
        print("\(action.id.uuidString.lowercased()) \(action.state): \(action.kind): \(action.reason)")
    }

    /// `herald autopilot apply ID`.
    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply a pending autopilot action.")
        @OptionGroup var options: CommonOptions
        @Argument(help: "The action's id (herald autopilot show lists them).") var id: String

        func run() async throws {
            try await AutopilotCommand.onAction(id, options: options) { store, action, campaign, now in
                try await AutopilotRunner.apply(action, store: store, campaign: campaign, by: AutopilotCommand.person, at: now)
            }
        }
    }

    /// `herald autopilot dismiss ID`.
    struct Dismiss: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Dismiss a pending autopilot action: nothing changes.")
        @OptionGroup var options: CommonOptions
        @Argument(help: "The action's id.") var id: String

        func run() async throws {
            try await AutopilotCommand.onAction(id, options: options) { store, action, _, now in
                try await store.dismiss(action.id, by: AutopilotCommand.person, at: now)
            }
        }
    }

    /// `herald autopilot undo ID`.
    struct Undo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Undo an applied autopilot action: the split before it comes back as a new allocation period, a moved schedule its rule before."
        )
        @OptionGroup var options: CommonOptions
        @Argument(help: "The action's id.") var id: String

        func run() async throws {
            try await AutopilotCommand.onAction(id, options: options) { store, action, _, now in
                try await AutopilotRunner.undo(action, store: store, by: AutopilotCommand.person, at: now)
            }
        }
    }
}
