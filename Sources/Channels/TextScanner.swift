import Foundation

/// Finds the parts of a post that channels and features treat specially: links, hashtags, mentions, emoji.
public enum TextScanner {
    /// Links: `http://` or `https://` up to the next space, without trailing punctuation.
    public static func links(in text: String) -> [Range<String.Index>] {
        var ranges: [Range<String.Index>] = []
        var searchStart = text.startIndex
        while searchStart < text.endIndex,
            let found = text.range(of: "http", options: [.caseInsensitive], range: searchStart..<text.endIndex)
        {
            let rest = text[found.lowerBound...]
            let isLink = rest.lowercased().hasPrefix("https://") || rest.lowercased().hasPrefix("http://")
            let atWordStart = found.lowerBound == text.startIndex || !text[text.index(before: found.lowerBound)].isLetter
            guard isLink, atWordStart else {
                searchStart = found.upperBound
                continue
            }
            var end = found.lowerBound
            while end < text.endIndex, !text[end].isWhitespace { end = text.index(after: end) }
            // Sentence punctuation after a link is not part of it.
            while end > found.lowerBound, let last = text[found.lowerBound..<end].last, ".,!?;:)»\"'".contains(last) {
                end = text.index(before: end)
            }
            ranges.append(found.lowerBound..<end)
            searchStart = end > found.lowerBound ? end : found.upperBound
        }
        return ranges
    }

    /// The text with each link replaced by `replacement`.
    public static func replacingLinks(in text: String, with replacement: String) -> String {
        var result = text
        for range in links(in: text).reversed() { result.replaceSubrange(range, with: replacement) }
        return result
    }

    /// Hashtags (`#word`, letters, digits and `_`, not all digits), as written without the `#`.
    public static func hashtags(in text: String) -> [String] { tags(in: text, marker: "#") }

    /// Mentions (`@name`), without the `@`; e-mail addresses are not mentions.
    public static func mentions(in text: String) -> [String] { tags(in: text, marker: "@") }

    private static func tags(in text: String, marker: Character) -> [String] {
        let withoutLinks = replacingLinks(in: text, with: " ")
        var tags: [String] = []
        var previous: Character = " "
        var current: String?
        for character in withoutLinks + " " {
            if var tag = current {
                if character.isLetter || character.isNumber || character == "_" {
                    tag.append(character)
                    current = tag
                } else {
                    if !tag.isEmpty, !tag.allSatisfy(\.isNumber) { tags.append(tag) }
                    current = nil
                }
            }
            if current == nil, character == marker, !(previous.isLetter || previous.isNumber || previous == "_") {
                current = ""
            }
            previous = character
        }
        return tags
    }

    /// Whether a character (grapheme cluster) is shown as an emoji.
    public static func isEmoji(_ character: Character) -> Bool {
        let scalars = character.unicodeScalars
        guard let first = scalars.first else { return false }
        if scalars.contains(where: { $0.properties.isEmojiPresentation }) { return true }
        // Text-default symbols (❤, ☀) become emoji with the variation selector U+FE0F; keycaps too.
        return first.properties.isEmoji && scalars.contains { $0.value == 0xFE0F || $0.value == 0x20E3 }
    }

    /// How many emoji the text has (a family or flag sequence counts once).
    public static func emojiCount(in text: String) -> Int {
        text.reduce(0) { $0 + (isEmoji($1) ? 1 : 0) }
    }

    /// Words: runs of letters, digits, apostrophes and inner hyphens, ignoring links, hashtags and mentions.
    public static func words(in text: String) -> [String] {
        let plain = replacingLinks(in: text, with: " ")
        var words: [String] = []
        func flush(_ word: inout String) {
            while let last = word.last, "'’-,.".contains(last) { word.removeLast() }
            if !word.isEmpty { words.append(word) }
            word = ""
        }
        for token in plain.split(whereSeparator: \.isWhitespace) {
            if token.first == "#" || token.first == "@" { continue }
            var current = ""
            for character in token {
                let joinsDigits = ",.".contains(character) && current.last?.isNumber == true
                if character.isLetter || character.isNumber || joinsDigits || ("'’-".contains(character) && !current.isEmpty) {
                    current.append(character)
                } else {
                    flush(&current)
                }
            }
            flush(&current)
        }
        return words
    }
}
