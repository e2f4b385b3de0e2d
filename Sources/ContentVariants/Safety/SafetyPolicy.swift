import Channels
import Foundation

/// A workspace's content rules, enforced for every generator: words that must never appear and
/// disclosures that must (e.g. `#ad`).
public struct SafetyPolicy: Sendable, Equatable, Codable {
    /// Words or phrases refused anywhere in a text, case-insensitively, at word boundaries
    /// (`free money` also catches `#FreeMoney`).
    public var bannedWords: [String]
    /// Texts that every variant must contain (case-insensitive); generators append missing ones.
    public var requiredDisclosures: [String]

    enum CodingKeys: String, CodingKey {
        case bannedWords = "banned_words"
        case requiredDisclosures = "disclosures"
    }

    public init(bannedWords: [String] = [], requiredDisclosures: [String] = []) {
        self.bannedWords = bannedWords.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        self.requiredDisclosures = requiredDisclosures.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// No rules.
    public static let none = SafetyPolicy()

    /// Both policies' rules together (a workspace's and a brief's).
    public func merged(with other: SafetyPolicy) -> SafetyPolicy {
        SafetyPolicy(
            bannedWords: bannedWords + other.bannedWords.filter { !bannedWords.contains($0) },
            requiredDisclosures: requiredDisclosures + other.requiredDisclosures.filter { !requiredDisclosures.contains($0) }
        )
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
