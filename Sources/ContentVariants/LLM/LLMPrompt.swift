import Channels
import HeraldCore

/// The messages that ask a model for variants: the brief's facts, the channel's rules and the safety policy.
public struct LLMPrompt: Sendable, Equatable {
    /// The system message.
    public var system: String
    /// The user message.
    public var user: String

    /// Builds the prompt for `count` variants of `brief` on `channel`.
    public init(brief: Brief, channel: Channel, count: Int, policy: SafetyPolicy) {
        let rules = ChannelRules.standard(for: channel)
        system = """
            You write marketing copy for A/B tests. Answer with one JSON object and nothing else: \
            {"variants": [{"text": "...", "hook": "...", "tone": "..."}]}. \
            hook is one of \(Hook.allCases.map(\.rawValue).joined(separator: ", ")); \
            tone is one of \(Tone.allCases.map(\.rawValue).joined(separator: ", ")). \
            Variants must differ clearly from each other in hook, tone, length and wording. Never invent facts, prices or numbers \
            that the brief does not give.
            """
        var facts = ["Product: \(brief.product)"]
        let optional: [(String, String?)] = [
            ("Offer", brief.offer), ("Audience", brief.audience), ("Benefit", brief.benefit), ("Social proof", brief.proof),
            ("Deadline", brief.deadline), ("Brand", brief.brand), ("Call to action", brief.cta), ("Link (use exactly)", brief.link),
        ]
        for (label, value) in optional { if let value { facts.append("\(label): \(value)") } }
        if !brief.hashtags.isEmpty { facts.append("Hashtags to choose from: \(brief.hashtags.map { "#\($0)" }.joined(separator: " "))") }
        if let tone = brief.tone { facts.append("Tone: \(tone.rawValue) for every variant") }
        facts.append("Language: \(brief.language)")
        var constraints: [String] = []
        switch channel {
        case .x: constraints.append("An X post: at most 280 characters, where a link counts as 23 and an emoji as 2; at most 2 hashtags.")
        case .instagram:
            constraints.append(
                "An Instagram caption: at most 2,200 characters and 30 hashtags; the first 125 characters matter most; links are not clickable, say \"link in bio\"."
            )
        case .linkedin: constraints.append("A LinkedIn post: at most 3,000 characters; the first 210 show before \"see more\"; professional.")
        case .facebook: constraints.append("A Facebook post: keep it under 480 characters so it is not cut off.")
        case .mastodon: constraints.append("A Mastodon post: at most 500 characters, where a link counts as 23; at most 3 hashtags.")
        case .bluesky: constraints.append("A Bluesky post: at most 300 characters (a link counts in full); at most 2 hashtags.")
        case .webhook: constraints.append("A plain message for a chat or automation webhook: a few sentences, no hashtags.")
        case .email: constraints.append("An email subject line: one line, at most 78 characters, best under 60; no links, no hashtags.")
        case .sms:
            constraints.append(
                "An SMS: plain text; best within one segment (160 GSM-7 characters, or 70 if it has emoji or other non-GSM characters), at most \(rules.maximumSegments ?? 1) segments; no hashtags."
            )
        }
        if !policy.bannedWords.isEmpty { constraints.append("Never use these words: \(policy.bannedWords.joined(separator: ", ")).") }
        if !policy.requiredDisclosures.isEmpty {
            constraints.append("Every variant must contain: \(policy.requiredDisclosures.joined(separator: ", ")).")
        }
        user = """
            Write \(count) variants.
            \(facts.joined(separator: "\n"))
            \(constraints.joined(separator: "\n"))
            """
    }

    var messages: [ChatCompletionRequest.Message] {
        [.init(role: "system", content: system), .init(role: "user", content: user)]
    }
}
