import Channels
import Foundation

/// Flesch reading ease (Flesch 1948): 206.835 − 1.015 × words per sentence − 84.6 × syllables per word.
/// About 60–70 is plain English; higher is easier. Syllables are counted by vowel groups, a silent
/// final `e` dropped (accurate to about one syllable in ten for English).
public enum ReadingEase {
    /// The score of a text, rounded to one decimal, clamped to 0...120; nil when it has no words.
    public static func flesch(_ text: String) -> Double? {
        let words = TextScanner.words(in: text)
        guard !words.isEmpty else { return nil }
        let sentences = max(1, sentenceCount(text))
        let syllables = words.reduce(0) { $0 + syllableCount($1) }
        let score = 206.835 - 1.015 * (Double(words.count) / Double(sentences)) - 84.6 * (Double(syllables) / Double(words.count))
        return (min(120, max(0, score)) * 10).rounded() / 10
    }

    /// Sentences: runs ending in `.`, `!`, `?` or a line break, counting a trailing unfinished one.
    static func sentenceCount(_ text: String) -> Int {
        let plain = TextScanner.replacingLinks(in: text, with: "link")
        var count = 0
        var inSentence = false
        for character in plain {
            if ".!?\n".contains(character) || character.isNewline {
                if inSentence { count += 1 }
                inSentence = false
            } else if character.isLetter || character.isNumber {
                inSentence = true
            }
        }
        return count + (inSentence ? 1 : 0)
    }

    /// Vowel groups in a word (y counts as a vowel after the first letter); at least one.
    static func syllableCount(_ word: String) -> Int {
        let letters = Array(word.lowercased().filter(\.isLetter))
        guard !letters.isEmpty else { return 1 }
        if letters.allSatisfy({ !$0.isASCII }) { return max(1, letters.count / 3) }
        func isVowel(_ index: Int) -> Bool {
            let character = letters[index]
            return "aeiou".contains(character) || (character == "y" && index > 0)
        }
        var groups = 0
        var previousVowel = false
        for index in letters.indices {
            let vowel = isVowel(index)
            if vowel && !previousVowel { groups += 1 }
            previousVowel = vowel
        }
        if letters.count > 2, letters.last == "e", !isVowel(letters.count - 2), groups > 1,
            !(letters[letters.count - 2] == "l" && !isVowel(letters.count - 3))
        {
            groups -= 1
        }
        return max(1, groups)
    }
}
