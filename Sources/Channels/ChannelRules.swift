import Foundation
import HeraldCore

/// What a channel accepts: its length limit and how it counts, hashtag limits, and when to warn.
///
/// | channel | limit | counted as |
/// |---|---|---|
/// | x | 280 | weighted characters: most Latin 1, CJK and emoji 2, every link 23 (t.co) |
/// | instagram | 2,200, at most 30 hashtags | characters (grapheme clusters) |
/// | linkedin | 3,000 | characters |
/// | facebook | 63,206 | characters |
/// | mastodon | 500 | characters, every link 23 |
/// | bluesky | 300 | characters (grapheme clusters) |
/// | webhook | 10,000 | characters |
/// | email (subject) | 78, warning past 60; one line | characters |
/// | sms | 3 segments: 160 GSM-7 septets or 70 UCS-2 units in one, 153 / 67 per segment when split | septets or UTF-16 units |
public struct ChannelRules: Sendable, Equatable {
    /// The channel these rules are for.
    public var channel: Channel
    /// The most units accepted (for SMS, per single segment; see ``maximumSegments``).
    public var maximumLength: Int
    /// Past this length the text still goes out but is cut off in the feed or inbox.
    public var warningLength: Int?
    /// The most hashtags accepted; nil when the channel sets no limit.
    public var maximumHashtags: Int?
    /// How many hashtags read naturally on the channel (the generator's ceiling).
    public var usualHashtags: Int
    /// What a link counts for, when the channel shortens links (X: 23).
    public var linkLength: Int?
    /// For SMS: the most segments one message may take.
    public var maximumSegments: Int?
    /// Whether the text must be one line (an email subject).
    public var singleLine: Bool
    /// Whether links in the text are clickable (not in Instagram captions).
    public var linksClickable: Bool

    public init(
        channel: Channel,
        maximumLength: Int,
        warningLength: Int? = nil,
        maximumHashtags: Int? = nil,
        usualHashtags: Int = 3,
        linkLength: Int? = nil,
        maximumSegments: Int? = nil,
        singleLine: Bool = false,
        linksClickable: Bool = true
    ) {
        self.channel = channel
        self.maximumLength = maximumLength
        self.warningLength = warningLength
        self.maximumHashtags = maximumHashtags
        self.usualHashtags = usualHashtags
        self.linkLength = linkLength
        self.maximumSegments = maximumSegments
        self.singleLine = singleLine
        self.linksClickable = linksClickable
    }

    /// Herald's rules for each channel.
    public static func standard(for channel: Channel) -> ChannelRules {
        switch channel {
        case .x: return ChannelRules(channel: .x, maximumLength: 280, usualHashtags: 2, linkLength: 23)
        case .instagram:
            return ChannelRules(
                channel: .instagram,
                maximumLength: 2_200,
                warningLength: 125,
                maximumHashtags: 30,
                usualHashtags: 12,
                linksClickable: false
            )
        case .linkedin: return ChannelRules(channel: .linkedin, maximumLength: 3_000, warningLength: 210, usualHashtags: 3)
        case .facebook: return ChannelRules(channel: .facebook, maximumLength: 63_206, warningLength: 480, usualHashtags: 2)
        case .mastodon: return ChannelRules(channel: .mastodon, maximumLength: 500, usualHashtags: 3, linkLength: 23)
        case .bluesky: return ChannelRules(channel: .bluesky, maximumLength: 300, usualHashtags: 2)
        case .webhook: return ChannelRules(channel: .webhook, maximumLength: 10_000, usualHashtags: 0)
        case .email: return ChannelRules(channel: .email, maximumLength: 78, warningLength: 60, usualHashtags: 0, singleLine: true)
        case .sms: return ChannelRules(channel: .sms, maximumLength: 160, usualHashtags: 0, maximumSegments: 3)
        }
    }

    /// The unit lengths are given in.
    public var unit: String {
        switch channel {
        case .x: return "weighted characters"
        case .sms: return "segments"
        default: return "characters"
        }
    }

    /// Checks a text against these rules.
    public func check(_ text: String) -> ChannelCheck {
        let normalized = text.precomposedStringWithCanonicalMapping
        var check = ChannelCheck(channel: channel, length: 0, limit: maximumLength)
        let hashtags = TextScanner.hashtags(in: normalized).count
        check.hashtags = hashtags
        switch channel {
        case .x:
            check.length = Self.weightedLength(normalized, linkLength: linkLength ?? 23)
        case .mastodon:
            let links = TextScanner.links(in: normalized)
            var rest = normalized
            for range in links.reversed() { rest.removeSubrange(range) }
            check.length = rest.count + links.count * (linkLength ?? 23)
        case .sms:
            let encoding = SMSEncoding.of(normalized)
            let (units, segments) = encoding.measure(normalized)
            check.length = units
            check.encoding = encoding
            check.segments = segments
            check.limit = maximumSegments ?? 1
        default:
            check.length = normalized.count
        }
        if normalized.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            check.violations.append(ConstraintViolation(code: .empty, message: "the text is empty"))
        }
        if channel == .sms {
            let segments = check.segments ?? 0
            if segments > check.limit {
                check.violations.append(
                    ConstraintViolation(
                        code: .tooLong,
                        message:
                            "needs \(segments) SMS segments (\(check.length) \(check.encoding == .gsm7 ? "GSM-7 septets" : "UCS-2 units")); at most \(check.limit)"
                    )
                )
            } else if segments > 1 {
                check.warnings.append("sent as \(segments) SMS segments (\(check.encoding?.rawValue ?? "")); one segment costs less")
            }
            if check.encoding == .ucs2 {
                check.warnings.append("characters outside GSM-7 switch the SMS to UCS-2: 70 per segment instead of 160")
            }
        } else if check.length > maximumLength {
            check.violations.append(
                ConstraintViolation(code: .tooLong, message: "is \(check.length) \(unit); \(channel.rawValue) allows at most \(maximumLength)")
            )
        } else if let warningLength, check.length > warningLength {
            check.warnings.append("is \(check.length) \(unit); past \(warningLength) it is cut off in the feed or inbox")
        }
        if let maximumHashtags, hashtags > maximumHashtags {
            check.violations.append(
                ConstraintViolation(
                    code: .tooManyHashtags,
                    message: "has \(hashtags) hashtags; \(channel.rawValue) allows at most \(maximumHashtags)"
                )
            )
        }
        if singleLine, normalized.contains(where: \.isNewline) {
            check.violations.append(ConstraintViolation(code: .lineBreak, message: "an email subject must be one line"))
        }
        if !linksClickable, !TextScanner.links(in: normalized).isEmpty {
            check.warnings.append("links in \(channel.rawValue) captions are not clickable; say \"link in bio\"")
        }
        return check
    }

    /// X's weighted length (twitter-text v3): code points in U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F and
    /// U+2032–U+2037 weigh 1, others 2; an emoji (however many code points) weighs 2; a link weighs 23.
    public static func weightedLength(_ text: String, linkLength: Int = 23) -> Int {
        let links = TextScanner.links(in: text)
        var length = links.count * linkLength
        var rest = text
        for range in links.reversed() { rest.removeSubrange(range) }
        for character in rest {
            if TextScanner.isEmoji(character) {
                length += 2
                continue
            }
            for scalar in character.unicodeScalars {
                let value = scalar.value
                let light =
                    value <= 0x10FF || (0x2000...0x200D).contains(value) || (0x2010...0x201F).contains(value)
                    || (0x2032...0x2037).contains(value)
                length += light ? 1 : 2
            }
        }
        return length
    }
}

/// The outcome of checking a text against a channel's rules.
public struct ChannelCheck: Sendable, Equatable, Codable {
    public var channel: Channel
    /// The length in the channel's unit (weighted characters on X, septets or UTF-16 units for SMS).
    public var length: Int
    /// The limit the length is held to (segments for SMS).
    public var limit: Int
    /// How many hashtags the text has.
    public var hashtags: Int = 0
    /// For SMS: the encoding and the number of segments.
    public var encoding: SMSEncoding?
    public var segments: Int?
    /// Things that do not stop the text but that a person should know.
    public var warnings: [String] = []
    /// Why the text cannot go out on the channel; empty when it can.
    public var violations: [ConstraintViolation] = []

    /// Whether the text can go out on the channel.
    public var isValid: Bool { violations.isEmpty }
}

/// One reason a text cannot go out on a channel.
public struct ConstraintViolation: Sendable, Equatable, Codable, CustomStringConvertible {
    /// A stable code for programs.
    public enum Code: String, Sendable, Codable {
        case empty
        case tooLong = "too_long"
        case tooManyHashtags = "too_many_hashtags"
        case lineBreak = "line_break"
    }

    public var code: Code
    /// What is wrong, for people.
    public var message: String

    public var description: String { message }
}
