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
        (.learn, ["learn", "discover", "read", "see how", "find out", "explore", "take a look", "see why", "see for yourself", "watch"]),
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

    /// The call-to-action type of a text, knowing the brief's call to action: when the text contains it (in any
    /// case, inflection or punctuation, see ``containsCallToAction(_:in:)``), the type of that call to action
    /// (``CTAType/other`` when the lexicon does not know it); otherwise the type read from the text.
    ///
    /// ```swift
    /// ContentClassifier.ctaType(of: "👉 TRY IT FREE!", callToAction: "Try it free")   // .other
    /// ContentClassifier.ctaType(of: "Shopping the sale?", callToAction: "Shop the sale")   // .shop
    /// ```
    public static func ctaType(of text: String, callToAction: String?) -> CTAType {
        if let callToAction, containsCallToAction(callToAction, in: text) { return ctaType(ofPhrase: callToAction) }
        return ctaType(of: text)
    }

    /// The type of a call-to-action phrase as written (`Shop now` → shop); ``CTAType/other`` for a phrase outside
    /// the lexicon, ``CTAType/none`` for an empty one.
    public static func ctaType(ofPhrase phrase: String) -> CTAType {
        guard !stems(of: phrase).isEmpty else { return .none }
        let type = ctaType(of: phrase)
        return type == .none ? .other : type
    }

    /// Whether `text` contains the call to action `phrase`: its words in order, compared case- and
    /// accent-insensitively after light stemming (`shopping`, `shops`, `shopped` all match `shop`), ignoring
    /// punctuation, emoji, links and line breaks around and inside it.
    ///
    /// - Complexity: O(n × m) for n words in the text and m in the phrase.
    public static func containsCallToAction(_ phrase: String, in text: String) -> Bool {
        let wanted = stems(of: phrase)
        guard !wanted.isEmpty else { return false }
        let words = stems(of: TextScanner.replacingLinks(in: text, with: " "))
        guard wanted.count <= words.count else { return false }
        for start in 0...(words.count - wanted.count) where Array(words[start..<(start + wanted.count)]) == wanted { return true }
        return false
    }

    /// Lower-case, accent-free word stems: letters and digits (an apostrophe inside a word is kept, `’` read as `'`).
    static func stems(of text: String) -> [String] {
        var words: [String] = []
        var current = ""
        let folded = text.lowercased().folding(options: [.diacriticInsensitive], locale: nil).replacingOccurrences(of: "’", with: "'")
        for character in folded + " " {
            if character.isLetter || character.isNumber || (character == "'" && !current.isEmpty) {
                current.append(character)
            } else if !current.isEmpty {
                while current.last == "'" { current.removeLast() }
                words.append(stem(current))
                current = ""
            }
        }
        return words
    }

    /// A light English stemmer for matching calls to action: drops `-ing`, `-ed`, `-es`, `-s` (and a doubled final
    /// consonant left behind: `shopping` → `shop`), `-ies` → `y`. Short words are kept as they are.
    static func stem(_ word: String) -> String {
        var word = word
        func drop(_ suffix: String, minimumStem: Int) -> Bool {
            guard word.hasSuffix(suffix), word.count - suffix.count >= minimumStem else { return false }
            word.removeLast(suffix.count)
            return true
        }
        if word.hasSuffix("ies"), word.count > 4 {
            word.removeLast(3)
            return word + "y"
        }
        if drop("ing", minimumStem: 3) || drop("ed", minimumStem: 3) {
            // shopp → shop, stopp → stop; but not "call" → "cal".
            let letters = Array(word)
            if letters.count >= 3, letters[letters.count - 1] == letters[letters.count - 2], !"lsz".contains(letters[letters.count - 1]) {
                word.removeLast()
            }
            return word
        }
        if word.hasSuffix("sses") || word.hasSuffix("shes") || word.hasSuffix("ches") || word.hasSuffix("xes") {
            word.removeLast(2)
            return word
        }
        if word.hasSuffix("s"), !word.hasSuffix("ss"), !word.hasSuffix("us"), !word.hasSuffix("is"), word.count > 3 { word.removeLast() }
        return word
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
