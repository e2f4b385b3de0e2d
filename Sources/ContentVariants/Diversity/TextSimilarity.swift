import Channels
import Foundation

/// Word-shingle similarity between texts, for finding near-duplicates.
public enum TextSimilarity {
    /// The text's word `size`-grams (lowercased; links, hashtags and mentions left out); single words when
    /// the text has fewer words than `size`.
    ///
    /// Example: `shingles("Shop the sale now", size: 2)` is `["shop the", "the sale", "sale now"]`.
    public static func shingles(_ text: String, size: Int = 2) -> Set<String> {
        let words = TextScanner.words(in: text).map { $0.lowercased() }
        guard words.count >= size, size > 1 else { return Set(words) }
        var result = Set<String>()
        for start in 0...(words.count - size) { result.insert(words[start..<(start + size)].joined(separator: " ")) }
        return result
    }

    /// Jaccard similarity |A ∩ B| / |A ∪ B|; 1 for two empty sets.
    public static func jaccard(_ a: Set<String>, _ b: Set<String>) -> Double {
        if a.isEmpty && b.isEmpty { return 1 }
        let union = a.union(b).count
        return union == 0 ? 0 : Double(a.intersection(b).count) / Double(union)
    }

    /// The Jaccard similarity of two texts' word 2-shingles, from 0 (nothing shared) to 1 (same words in the same order).
    public static func similarity(_ a: String, _ b: String) -> Double {
        jaccard(shingles(a), shingles(b))
    }
}
