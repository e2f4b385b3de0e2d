import Foundation

/// How a post opens: the first thing that should stop the scroll.
public enum Hook: String, CaseIterable, Codable, Sendable, Comparable {
    case question, number, urgency
    case socialProof = "social_proof"
    case benefit, curiosity

    public static func < (lhs: Hook, rhs: Hook) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The voice of a post.
public enum Tone: String, CaseIterable, Codable, Sendable, Comparable {
    case playful, professional, urgent, friendly

    public static func < (lhs: Tone, rhs: Tone) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// How much a post says.
public enum LengthBucket: String, CaseIterable, Codable, Sendable, Comparable {
    case short, medium, long

    /// 0, 1, 2 from short to long.
    public var rank: Int {
        switch self {
        case .short: return 0
        case .medium: return 1
        case .long: return 2
        }
    }

    public static func < (lhs: LengthBucket, rhs: LengthBucket) -> Bool { lhs.rank < rhs.rank }
}

/// What a call to action asks for; `other` is a call to action outside Herald's lexicon (a brief's own, such as
/// `Try it free`), `none` a text without one.
public enum CTAType: String, CaseIterable, Codable, Sendable {
    case shop, learn, signup, claim, book, download, contact, other, none
}

/// Where the link sits in a post.
public enum LinkPosition: String, CaseIterable, Codable, Sendable {
    /// Right after the opening line.
    case afterHook = "after_hook"
    /// Next to the call to action (`Shop now → link`).
    case withCTA = "with_cta"
    /// On its own at the end.
    case end
    /// No link in the text (Instagram's "link in bio", email subjects, or no link in the brief).
    case none
}
