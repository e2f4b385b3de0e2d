import Channels
import Foundation

/// Reads hook, tone and call-to-action type from a text, for variants whose plan is unknown
/// (written by hand or by an LLM). Keyword lexicons in English; the first matching rule wins.
public enum ContentClassifier {
    /// Phrases that mark each call-to-action type, most specific first.
    static let ctaLexicon: [(CTAType, [String])] = [
        (.download, ["download", "install", "get the app"]),
        (.signup, ["sign up", "signup", "join", "subscribe", "register", "create your account", "start your free"]),
        (.book, ["book", "reserve", "schedule a", "save your seat", "save your spot"]),
        (.claim, ["claim", "redeem", "unlock", "use code", "grab the deal", "get the deal", "get your discount"]),
        (.shop, ["shop", "buy", "order", "add to cart", "grab yours", "grab a pair", "get yours", "pick up", "check out the"]),
        (.learn, ["learn", "discover", "read", "see how", "find out", "explore", "take a look", "see why", "watch"]),
        (.contact, ["reply", "call us", "message us", "dm us", "text us", "get in touch"]),
    ]

    static let urgencyWords = [
        "last chance", "ends tonight", "ends today", "ends soon", "ends sunday", "ends friday", "hurry", "only today",
        "today only", "don't miss", "do not miss", "final hours", "final day", "before it's gone", "while stocks last",
        "limited time", "running out", "last call", "clock is ticking", "⏰", "🚨", "hours left", "days left",
    ]
    static let strongProofWords = [
        "join ", "loved by", "trusted by", "swear by", "keep choosing", "keep recommending", "can't be wrong", "most-loved",
    ]
    static let proofWords = [
        "join ", "runners", "customers", "people", "loved by", "rated", "★", "reviews", "trusted by", "thousands",
        "teams", "members", "fans", "sold out", "bestseller", "best-selling", "favorite of", "favourite of",
    ]
    static let curiosityWords = [
        "secret", "here's why", "here is why", "the one thing", "what nobody", "no one tells", "you won't believe",
        "guess what", "turns out", "the truth", "ever wondered", "plot twist", "…", "...", "this is how", "the reason",
    ]
    static let playfulWords = ["!", "😍", "🎉", "🙌", "🔥", "yay", "woo", "oh hey", "psst", "treat yourself", "let's go", "zoom"]
    static let friendlyWords = ["you'll love", "we'd love", "we think", "hey", "hi ", "friends", "😊", "💛", "👋", "happy", "enjoy", "together"]

    /// The call-to-action type of a text.
    public static func ctaType(of text: String) -> CTAType {
        let lower = text.lowercased()
        for (type, phrases) in ctaLexicon where phrases.contains(where: { containsPhrase(lower, $0) }) { return type }
        return .none
    }

    /// The hook of a text, read from its first sentence.
    public static func hook(of text: String) -> Hook {
        let first = firstSentence(of: text).lowercased()
        if urgencyWords.contains(where: { first.contains($0) }) { return .urgency }
        if first.contains("?") { return .question }
        if strongProofWords.contains(where: { first.contains($0) }) { return .socialProof }
        if first.first(where: { !$0.isWhitespace && !TextScanner.isEmoji($0) })?.isNumber == true
            || first.contains("%") || first.split(separator: " ").prefix(3).contains(where: { $0.first?.isNumber == true })
        {
            return .number
        }
        if curiosityWords.contains(where: { first.contains($0) }) { return .curiosity }
        if proofWords.contains(where: { first.contains($0) }) { return .socialProof }
        return .benefit
    }

    /// The tone of a text.
    public static func tone(of text: String) -> Tone {
        let lower = text.lowercased()
        let urgency = urgencyWords.filter { lower.contains($0) }.count
        if urgency >= 2 || (urgency >= 1 && lower.contains("now")) { return .urgent }
        let playful = playfulWords.reduce(0) { $0 + lower.components(separatedBy: $1).count - 1 }
        let emoji = TextScanner.emojiCount(in: text)
        if playful + emoji >= 3 { return .playful }
        if friendlyWords.contains(where: { lower.contains($0) }) || (lower.contains("you") && emoji > 0) { return .friendly }
        return .professional
    }

    /// The text up to its first `.`, `!`, `?` or line break (links and the like are not cut).
    static func firstSentence(of text: String) -> String {
        var sentence = ""
        var previous: Character = " "
        for character in text {
            if character.isNewline, !sentence.trimmingCharacters(in: .whitespaces).isEmpty { break }
            sentence.append(character)
            if "!?".contains(character) { break }
            if character == ".", previous.isLetter { break }
            previous = character
        }
        return sentence
    }

    /// Whether `phrase` occurs in `text` starting at a word boundary.
    static func containsPhrase(_ text: String, _ phrase: String) -> Bool {
        var start = text.startIndex
        while let range = text.range(of: phrase, range: start..<text.endIndex) {
            if range.lowerBound == text.startIndex || !text[text.index(before: range.lowerBound)].isLetter { return true }
            start = range.upperBound
        }
        return false
    }
}
