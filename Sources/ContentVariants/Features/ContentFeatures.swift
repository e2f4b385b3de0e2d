import Channels
import HeraldCore

/// What a variant is made of, read from its text (and its plan, when the generator made it):
/// the inputs to feature attribution in analytics. Encodes with snake_case keys, as stored in `variants.features`.
public struct ContentFeatures: Sendable, Equatable, Codable {
    /// Length in the channel's unit (weighted on X, septets or UTF-16 units for SMS).
    public var length: Int
    /// Characters (grapheme clusters).
    public var characters: Int
    public var words: Int
    public var hasQuestion: Bool
    public var hasNumber: Bool
    public var emojiCount: Int
    public var hashtagCount: Int
    public var mentionCount: Int
    public var linkCount: Int
    public var ctaType: CTAType
    public var hook: Hook
    public var tone: Tone
    /// Flesch reading ease; nil for a text without words.
    public var readingEase: Double?
    /// For SMS: segments and encoding.
    public var smsSegments: Int?
    public var smsEncoding: SMSEncoding?

    enum CodingKeys: String, CodingKey {
        case length, characters, words
        case hasQuestion = "has_question"
        case hasNumber = "has_number"
        case emojiCount = "emoji_count"
        case hashtagCount = "hashtag_count"
        case mentionCount = "mention_count"
        case linkCount = "link_count"
        case ctaType = "cta_type"
        case hook, tone
        case readingEase = "reading_ease"
        case smsSegments = "sms_segments"
        case smsEncoding = "sms_encoding"
    }

    /// Whether the text has a call to action (of any type).
    public var hasCTA: Bool { ctaType != .none }

    /// Reads the features of `text` as posted on `channel`; hook and tone are classified from the text.
    ///
    /// - Parameter callToAction: The brief's call to action, when known: a text that contains it in any form is
    ///   labelled with its type (see ``ContentClassifier/ctaType(of:callToAction:)``).
    public init(text: String, channel: Channel, rules: ChannelRules? = nil, callToAction: String? = nil) {
        let check = (rules ?? .standard(for: channel)).check(text)
        let withoutLinks = TextScanner.replacingLinks(in: text, with: " ")
        length = check.length
        characters = text.count
        words = TextScanner.words(in: text).count
        hasQuestion = withoutLinks.contains("?")
        hasNumber = withoutLinks.contains { $0.isNumber }
        emojiCount = TextScanner.emojiCount(in: text)
        hashtagCount = TextScanner.hashtags(in: text).count
        mentionCount = TextScanner.mentions(in: text).count
        linkCount = TextScanner.links(in: text).count
        ctaType = ContentClassifier.ctaType(of: text, callToAction: callToAction)
        hook = ContentClassifier.hook(of: text)
        tone = ContentClassifier.tone(of: text)
        readingEase = ReadingEase.flesch(text)
        smsSegments = check.segments
        smsEncoding = check.encoding
    }
}
