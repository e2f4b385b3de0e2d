import ArgumentParser
import Channels
import ContentVariants
import ContentVariantsLLM
import Foundation
import HeraldCore

/// `herald variants generate`: content variants from a brief, with their features; no database needed. `herald variants
/// review|approve|reject`: the review gate.
struct VariantsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "variants",
        abstract: "Generate content variants from a brief; review and approve variants; describe a variant's image and review the suggestions.",
        subcommands: [
            Generate.self, Review.self, Approve.self, Reject.self, DescribeImage.self, Suggestions.self, AcceptSuggestion.self,
            RejectSuggestion.self,
        ]
    )

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate distinct, channel-valid variants from a brief (JSON or YAML) and print them with their features.",
            discussion: """
                brief:
                  product: Trailblazer 2 trail shoes       (required)
                  offer: 20% off this weekend              audience: trail runners
                  link: https://example.com/shoes          cta: Shop the sale
                  hashtags: [trailrunning, ultra]          tone: playful (fixes it; otherwise tones vary)
                  benefit: grip that holds on wet rock     proof: 12,000 runners     deadline: Sunday
                  brand: Trailblazer                       language: en
                  templates: ["{New|Meet} {{product}}: {{offer}}. {{link}}"]   (optional: your own)
                  safety: {banned_words: [guaranteed], disclosures: ["#ad"]}
                With HERALD_LLM_URL and HERALD_LLM_MODEL set (and HERALD_LLM_API_KEY if the endpoint needs one) \
                the variants come from that OpenAI-compatible endpoint, checked the same way; otherwise from the \
                built-in rules. The same seed gives the same variants.
                """
        )

        @Option(help: "The brief file (.json, .yaml or .yml).") var brief: String
        @Option(help: "The channel: \(Channel.names).") var channel: String
        @Option(help: "How many variants (1 to \(RuleGenerator.maximumCount)).") var count: Int = 4
        @Option(help: "Seed for reproducible output (default: a random one, printed).") var seed: UInt64?
        @Option(name: .customLong("banned"), help: "A banned word or phrase (repeatable); added to the brief's.") var banned: [String] = []
        @Option(name: .customLong("disclosure"), help: "A required disclosure such as #ad (repeatable).") var disclosures: [String] = []
        @Option(help: "The line every SMS ends with (the workspace default; `herald workspaces sms-opt-out` sets a workspace's).")
        var smsOptOut: String = "Reply STOP to opt out"
        @Flag(help: "Also list the refused candidates and why.") var showRejected = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let channel = try Channel(parsing: self.channel, field: "--channel")
            guard let data = FileManager.default.contents(atPath: brief) else {
                throw HeraldCore.ValidationError(location: brief, field: "", reason: "cannot read the file (does it exist?)")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw HeraldCore.ValidationError(location: brief, field: "", reason: "is not UTF-8 text")
            }
            let parsed = try Brief(parsing: text, source: brief)
            let seed = self.seed ?? UInt64.random(in: 0...999_999)
            let policy = SafetyPolicy(bannedWords: banned, requiredDisclosures: disclosures, smsOptOut: smsOptOut)
            let result: GenerationResult
            do {
                result = try await VariantSource(llm: try HeraldConfiguration().llm.get())
                    .generate(brief: parsed, channel: channel, count: count, seed: seed, policy: policy)
            } catch {
                if error.field == "count" { throw HeraldCore.ValidationError(field: "--count", reason: error.reason) }
                throw error.at(brief)
            }
            if json {
                print(try Terminal.json(Output(channel: channel, seed: seed, result: result, showRejected: showRejected)))
                return
            }
            print(Self.describe(result, channel: channel, seed: seed, showRejected: showRejected))
            if result.variants.isEmpty {
                throw CommandFailure(message: "no candidate passed the checks for \(channel.rawValue); see --show-rejected")
            }
        }

        /// `--json` output.
        struct Output: Encodable {
            var channel: Channel
            var seed: UInt64
            var variants: [GeneratedVariant]
            var candidates: Int
            var rejectedCount: Int
            var rejected: [Rejection]?
            var fallbackReason: String?

            init(channel: Channel, seed: UInt64, result: GenerationResult, showRejected: Bool) {
                self.channel = channel
                self.seed = seed
                variants = result.variants
                candidates = result.candidates
                rejectedCount = result.rejected.count
                rejected = showRejected ? result.rejected : nil
                fallbackReason = result.fallbackReason
            }

            enum CodingKeys: String, CodingKey {
                case channel, seed, variants, candidates, rejected
                case rejectedCount = "rejected_count"
                case fallbackReason = "fallback_reason"
            }
        }

        /// The human-readable listing.
        static func describe(_ result: GenerationResult, channel: Channel, seed: UInt64, showRejected: Bool) -> String {
            let rules = ChannelRules.standard(for: channel)
            var lines: [String] = []
            for (number, variant) in result.variants.enumerated() {
                let f = variant.features
                let size =
                    channel == .sms
                    ? "\(f.smsSegments ?? 0) segment(s), \(f.length) \(f.smsEncoding?.rawValue ?? "") units"
                    : "\(f.length)/\(rules.maximumLength) \(rules.unit)"
                lines.append("\(number + 1). [\(channel.rawValue), \(size), \(variant.generator)]")
                for line in variant.text.split(separator: "\n", omittingEmptySubsequences: false) { lines.append("   \(line)") }
                var traits = [
                    "hook=\(f.hook.rawValue)", "tone=\(f.tone.rawValue)", "cta=\(f.ctaType.rawValue)", "words=\(f.words)",
                    "emoji=\(f.emojiCount)", "hashtags=\(f.hashtagCount)", "mentions=\(f.mentionCount)", "links=\(f.linkCount)",
                    "question=\(f.hasQuestion)", "number=\(f.hasNumber)", "reading_ease=\(f.readingEase.map { String($0) } ?? "-")",
                ]
                if let plan = variant.plan { traits += ["length=\(plan.length.rawValue)", "link=\(plan.linkPosition.rawValue)"] }
                lines.append("   " + traits.joined(separator: " "))
                for warning in variant.warnings { lines.append("   note: \(warning)") }
                lines.append("")
            }
            var summary = "\(result.variants.count) variants from \(result.candidates) candidates (seed \(seed))"
            if !result.rejected.isEmpty {
                var byReason: [String: Int] = [:]
                for rejection in result.rejected {
                    let reason = rejection.reasons.first.map(Self.reasonKind) ?? "other"
                    byReason[reason, default: 0] += 1
                }
                summary += "; refused \(result.rejected.count): "
                summary += byReason.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
                    .map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            }
            if let fallback = result.fallbackReason { summary += "\nnote: \(fallback)" }
            lines.append(summary)
            if showRejected {
                for rejection in result.rejected {
                    lines.append("- \(rejection.text.replacingOccurrences(of: "\n", with: " ⏎ "))")
                    lines.append("  \(rejection.reasons.joined(separator: "; "))")
                }
            }
            return lines.joined(separator: "\n")
        }

        static func reasonKind(_ reason: String) -> String {
            if reason.hasPrefix("near-duplicate") { return "near-duplicates" }
            if reason.contains("banned word") { return "banned words" }
            if reason.contains("disclosure") { return "missing disclosures" }
            if reason.contains("at most") { return "over the channel limit" }
            return "other"
        }
    }
}
