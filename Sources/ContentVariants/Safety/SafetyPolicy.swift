import Channels
import Foundation
import HeraldCore

/// A workspace's content rules, enforced for every generator: words that must never appear, disclosures that
/// must (e.g. `#ad`), and the line every SMS ends with (e.g. `Reply STOP to opt out`).
public struct SafetyPolicy: Sendable, Equatable, Codable {
    /// Words or phrases refused anywhere in a text, case-insensitively, at word boundaries
    /// (`free money` also catches `#FreeMoney`).
    public var bannedWords: [String]
    /// Texts that every variant must contain (case-insensitive); generators append missing ones.
    public var requiredDisclosures: [String]
    /// The opt-out line every SMS text must end with (`Reply STOP to opt out`); nil when none is set.
    /// Generators append it (shortening the text, never dropping the line, to stay within the segment limit)
    /// and ``VariantValidator`` refuses an SMS text that does not end with it.
    public var smsOptOut: String?

    enum CodingKeys: String, CodingKey {
        case bannedWords = "banned_words"
        case requiredDisclosures = "disclosures"
        case smsOptOut = "sms_opt_out"
    }

    /// A policy; blank words, disclosures and opt-out lines are ignored.
    public init(bannedWords: [String] = [], requiredDisclosures: [String] = [], smsOptOut: String? = nil) {
        self.bannedWords = bannedWords.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        self.requiredDisclosures = requiredDisclosures.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let optOut = smsOptOut?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        self.smsOptOut = optOut.isEmpty ? nil : optOut
    }

    /// No rules.
    public static let none = SafetyPolicy()

    /// Both policies' rules together (a workspace's and a brief's); this policy's opt-out line wins when both set one.
    public func merged(with other: SafetyPolicy) -> SafetyPolicy {
        SafetyPolicy(
            bannedWords: bannedWords + other.bannedWords.filter { !bannedWords.contains($0) },
            requiredDisclosures: requiredDisclosures + other.requiredDisclosures.filter { !requiredDisclosures.contains($0) },
            smsOptOut: smsOptOut ?? other.smsOptOut
        )
    }

    /// Whether `text` ends with the SMS opt-out line (case-insensitively, ignoring a final `.` or `!`);
    /// true when no line is set.
    public func endsWithOptOut(_ text: String) -> Bool {
        guard let smsOptOut else { return true }
        func normalized(_ value: String) -> String {
            var value = value.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            while let last = value.last, ".!".contains(last) { value.removeLast() }
            return value
        }
        return normalized(text).hasSuffix(normalized(smsOptOut))
    }

    /// `text` without the SMS opt-out line at its end (when it ends with it), trimmed.
    public func removingOptOut(from text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let smsOptOut, endsWithOptOut(trimmed) else { return trimmed }
        var rest = trimmed
        while let last = rest.last, ".!".contains(last) { rest.removeLast() }
        var line = smsOptOut
        while let last = line.last, ".!".contains(last) { line.removeLast() }
        return String(rest.dropLast(line.count)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// An SMS text with any missing disclosures added and the opt-out line at its end (disclosures go before it).
    public func preparingSMS(_ text: String) -> String {
        let body = addingDisclosures(to: removingOptOut(from: text))
        guard let smsOptOut else { return body }
        return body.isEmpty ? smsOptOut : body + " " + smsOptOut
    }

    /// Why `text` cannot go out on `channel` under this policy: ``violations(in:)``, and for SMS a missing opt-out line.
    public func violations(in text: String, channel: Channel) -> [String] {
        var reasons = violations(in: text)
        if channel == .sms, let smsOptOut, !endsWithOptOut(text) {
            reasons.append("does not end with the SMS opt-out line \"\(smsOptOut)\"")
        }
        return reasons
    }

    /// The banned words that `text` contains, in policy order.
    public func bannedWords(in text: String) -> [String] {
        let words = Self.normalizedWords(text)
        let hashtags = TextScanner.hashtags(in: text).map { Self.normalizedWords($0).joined() }
        return bannedWords.filter { banned in
            let bannedWords = Self.normalizedWords(banned)
            guard !bannedWords.isEmpty else { return false }
            if Self.containsRun(words, bannedWords) { return true }
            // Run-together spellings in hashtags: #FreeMoney for "free money".
            let glued = bannedWords.joined()
            return hashtags.contains { $0 == glued || (bannedWords.count > 1 && $0.contains(glued)) }
        }
    }

    /// The disclosures `text` lacks.
    public func missingDisclosures(in text: String) -> [String] {
        let lower = text.lowercased()
        return requiredDisclosures.filter { !lower.contains($0.lowercased()) }
    }

    /// `text` with any missing disclosures appended (after a space, or a line break for multi-line texts).
    public func addingDisclosures(to text: String) -> String {
        let missing = missingDisclosures(in: text)
        guard !missing.isEmpty else { return text }
        let separator = text.contains("\n") ? "\n" : " "
        return text + separator + missing.joined(separator: " ")
    }

    /// Why `text` breaks the policy; empty when it does not.
    public func violations(in text: String) -> [String] {
        bannedWords(in: text).map { "contains the banned word \"\($0)\"" }
            + missingDisclosures(in: text).map { "lacks the required disclosure \"\($0)\"" }
    }

    private static func normalizedWords(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        for character in text.lowercased().folding(options: [.diacriticInsensitive], locale: nil) + " " {
            if character.isLetter || character.isNumber {
                current.append(character)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        return words
    }

    private static func containsRun(_ words: [String], _ run: [String]) -> Bool {
        guard run.count <= words.count else { return false }
        for start in 0...(words.count - run.count) where Array(words[start..<(start + run.count)]) == run { return true }
        return false
    }
}
