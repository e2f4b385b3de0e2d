import ArgumentParser
import Foundation
import HeraldCore
import Storage

extension VariantsCommand {
    /// `herald variants review [CAMPAIGN] [--json]`: the variants waiting for a decision.
    struct Review: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the variants pending review (of one campaign, or of the workspace).",
            discussion: """
                Only approved variants are published. Generated variants (rules, LLM, challengers, image captions) start \
                pending; so does any variant whose content is edited. Decide with `herald variants approve ID` or \
                `herald variants reject ID --comment C`.
                """
        )
        @OptionGroup var options: CommonOptions
        @Argument(help: "A campaign's slug or id (default: every campaign of the workspace).") var campaign: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let pending = try await options.session().run { database, workspace in
                var id: CampaignID?
                if let campaign { id = try await CampaignStore(database, workspace: workspace).find(campaign).id }
                return try await ReviewStore(database, workspace: workspace).pending(campaign: id)
            }
            if json {
                print(try Terminal.json(pending))
                return
            }
            guard !pending.isEmpty else {
                print("Nothing is pending review.")
                return
            }
            for review in pending {
                let approvals = review.approvalsRequired > 1 ? "  \(review.approvedBy.count)/\(review.approvalsRequired) approvals" : ""
                print("\(review.variant)  \(review.campaignSlug)/\(review.key)  \(review.generator)\(approvals)")
                if let subject = review.subject { print("    subject: \(subject)") }
                for line in review.text.split(separator: "\n", omittingEmptySubsequences: false) { print("    \(line)") }
            }
        }
    }

    /// `herald variants approve ID [--comment C]`.
    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Approve a variant so it may be published (as the operator, recorded as cli:<login name>).",
            discussion: """
                With two-person approval the variant needs a second approval by someone else. No one approves a variant \
                they wrote. The decision goes to the audit log.
                """
        )
        @OptionGroup var options: CommonOptions
        @Argument(help: "The variant's id (`herald campaigns show CAMPAIGN` prints it).") var id: String
        @Option(help: "A note for the record.") var comment: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await VariantsCommand.decide(id, .approve, comment: comment, options: options, json: json)
        }
    }

    /// `herald variants reject ID --comment C`.
    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reject a variant, saying why: it is not published (as the operator, recorded as cli:<login name>).",
            discussion: "It stays rejected until its content is edited (back to pending) or an approver approves it after all."
        )
        @OptionGroup var options: CommonOptions
        @Argument(help: "The variant's id.") var id: String
        @Option(help: "What is wrong and what to change (required).") var comment: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await VariantsCommand.decide(id, .reject, comment: comment, options: options, json: json)
        }
    }

    /// Records a decision as the operator and prints the variant's review state.
    static func decide(_ id: String, _ decision: ReviewStore.Decision, comment: String?, options: CommonOptions, json: Bool) async throws {
        guard let variant = VariantID(id) else {
            throw HeraldCore.ValidationError(field: "ID", reason: "\"\(id)\" is not a variant id (`herald campaigns show CAMPAIGN` prints them)")
        }
        if decision == .reject, (comment ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw HeraldCore.ValidationError(field: "--comment", reason: "a rejection needs a comment saying what to change")
        }
        let review = try await options.session().run { database, workspace in
            try await ReviewStore(database, workspace: workspace).decide(variant: variant, decision: decision, comment: comment, actor: .commandLine)
        }
        if json {
            print(try Terminal.json(review))
            return
        }
        var line = "\(review.campaignSlug)/\(review.key) \(review.variant): \(review.state.rawValue)"
        if review.state == .pending { line += " (\(review.approvedBy.count) of \(review.approvalsRequired) approvals)" }
        print(line)
    }
}
