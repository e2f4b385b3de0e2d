import Foundation

/// The choices behind one generated variant: one value per dimension, and the seed that picks its phrases.
///
/// Every part of the post draws its phrase from its own stream of `phraseSeed`, so two plans that differ in one
/// dimension produce posts that differ only in that part (which is what challengers rely on).
public struct VariantPlan: Sendable, Hashable, Codable {
    public var hook: Hook
    public var tone: Tone
    public var length: LengthBucket
    public var emoji: Bool
    public var hashtags: Int
    /// The call-to-action phrasing, as written (e.g. `Shop now`); empty for none.
    public var cta: String
    public var linkPosition: LinkPosition
    public var phraseSeed: UInt64

    enum CodingKeys: String, CodingKey {
        case hook, tone, length, emoji, hashtags, cta
        case linkPosition = "link_position"
        case phraseSeed = "phrase_seed"
    }

    public init(
        hook: Hook,
        tone: Tone,
        length: LengthBucket,
        emoji: Bool,
        hashtags: Int,
        cta: String,
        linkPosition: LinkPosition,
        phraseSeed: UInt64
    ) {
        self.hook = hook
        self.tone = tone
        self.length = length
        self.emoji = emoji
        self.hashtags = hashtags
        self.cta = cta
        self.linkPosition = linkPosition
        self.phraseSeed = phraseSeed
    }

    /// The dimensions a plan varies along, by name (as in feature effects and challengers).
    public enum Dimension: String, CaseIterable, Sendable, Codable {
        case hook, tone, length, emoji, hashtags, cta
        case linkPosition = "link_position"
    }

    /// The value of a dimension as text (`question`, `true`, `2`, `Shop now`).
    public func value(of dimension: Dimension) -> String {
        switch dimension {
        case .hook: return hook.rawValue
        case .tone: return tone.rawValue
        case .length: return length.rawValue
        case .emoji: return String(emoji)
        case .hashtags: return String(hashtags)
        case .cta: return cta
        case .linkPosition: return linkPosition.rawValue
        }
    }

    /// `dimension=value` labels for every dimension, for diversity and attribution.
    public var labels: [String] { Dimension.allCases.map { "\($0.rawValue)=\(value(of: $0))" } }
}
