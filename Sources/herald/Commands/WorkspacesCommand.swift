import ArgumentParser
import Foundation
import Storage

/// `herald workspaces safety`: the workspace's banned words and required disclosures.
struct WorkspacesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workspaces",
        abstract: "Workspace settings.",
        subcommands: [Safety.self, SMSOptOut.self, ReviewRules.self]
    )

    /// `herald workspaces review-rules [--approvals 1|2] [--review-hand-written true|false]
    /// [--rule-challengers-without-review true|false]`.
    struct ReviewRules: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "review-rules",
            abstract:
                "Show or set how variants are approved: one or two approvers, whether hand-written variants need review, and whether autopilot's rule-written challengers do."
        )
        @OptionGroup var options: CommonOptions
        @Option(help: "How many different people must approve a variant: 1 or 2.") var approvals: Int?
        @Option(help: "Whether variants written by hand need review too (true or false).") var reviewHandWritten: Bool?
        @Option(help: "Whether challengers autopilot has the rule generator write go out without review (true or false).")
        var ruleChallengersWithoutReview: Bool?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let (approvals, handWritten, ruleChallengers) = (self.approvals, self.reviewHandWritten, self.ruleChallengersWithoutReview)
            let settings = try await options.session().run { database, workspace in
                let store = ReviewStore(database, workspace: workspace)
                var settings = try await store.settings()
                if approvals != nil || handWritten != nil || ruleChallengers != nil {
                    settings.approvalsRequired = approvals ?? settings.approvalsRequired
                    settings.reviewHandWritten = handWritten ?? settings.reviewHandWritten
                    settings.ruleChallengersWithoutReview = ruleChallengers ?? settings.ruleChallengersWithoutReview
                    try await store.update(settings, actor: .commandLine)
                }
                return settings
            }
            if json {
                print(try Terminal.json(settings, pretty: false))
            } else {
                print("approvals required: \(settings.approvalsRequired)")
                print("hand-written variants need review: \(settings.reviewHandWritten ? "yes" : "no")")
                print("autopilot's rule-written challengers need review: \(settings.ruleChallengersWithoutReview ? "no" : "yes")")
            }
        }
    }

    struct SMSOptOut: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sms-opt-out",
            abstract: "Show or set the line every SMS of the workspace ends with (default \"Reply STOP to opt out\")."
        )
        @OptionGroup var options: CommonOptions
        @Argument(help: "The new line; leave out to show the current one.") var line: String?

        func run() async throws {
            let line = self.line
            let current = try await options.session().run { database, workspace in
                if let line { try await WorkspaceStore(database).setSMSOptOut(of: workspace, to: line) }
                return try await CampaignStore(database, workspace: workspace).smsOptOut()
            }
            print(current)
        }
    }

    struct Safety: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show or set the words no generated variant may contain and the disclosures every one must carry."
        )
        @OptionGroup var options: CommonOptions
        @Option(help: "Comma-separated banned words (replaces the list).") var banned: String?
        @Option(help: "Comma-separated required disclosures, e.g. #ad (replaces the list).") var disclosure: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let (banned, disclosure) = (self.banned, self.disclosure)
            let safety = try await options.session().run { database, workspace in
                let store = WorkspaceStore(database)
                if banned != nil || disclosure != nil {
                    let current = try await store.safety(of: workspace)
                    try await store.setSafety(
                        of: workspace,
                        bannedWords: banned.map { $0.split(separator: ",").map(String.init) } ?? current.bannedWords,
                        requiredDisclosures: disclosure.map { $0.split(separator: ",").map(String.init) } ?? current.requiredDisclosures
                    )
                }
                return try await store.safety(of: workspace)
            }
            if json {
                print(try Terminal.json(["banned_words": safety.bannedWords, "required_disclosures": safety.requiredDisclosures], pretty: false))
            } else {
                print("banned words: \(safety.bannedWords.isEmpty ? "none" : safety.bannedWords.joined(separator: ", "))")
                print("required disclosures: \(safety.requiredDisclosures.isEmpty ? "none" : safety.requiredDisclosures.joined(separator: ", "))")
            }
        }
    }
}
