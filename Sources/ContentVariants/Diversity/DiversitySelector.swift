import Foundation

/// Drops near-duplicates and picks a maximally diverse set of variants.
///
/// Distance between two variants mixes their text (1 − word-shingle Jaccard) and their features
/// (the share of `dimension=value` labels they do not share). Selection is greedy max-min
/// (Gonzalez 1985, a 2-approximation of the max-min dispersion problem): start from the first
/// candidate, then repeatedly add the one farthest from everything chosen so far.
public struct DiversitySelector: Sendable {
    /// A candidate: its text and its feature labels (e.g. `hook=question`).
    public struct Item: Sendable {
        public var text: String
        public var labels: [String]

        public init(text: String, labels: [String]) {
            self.text = text
            self.labels = labels
        }
    }

    /// Two texts at or above this shingle similarity are near-duplicates.
    public var nearDuplicateThreshold: Double
    /// The weight of text distance against feature distance (0...1).
    public var textWeight: Double

    public init(nearDuplicateThreshold: Double = 0.6, textWeight: Double = 0.5) {
        self.nearDuplicateThreshold = nearDuplicateThreshold
        self.textWeight = textWeight
    }

    /// Whether two texts are near-duplicates (same text ignoring case also counts).
    public func areNearDuplicates(_ a: String, _ b: String) -> Bool {
        a.lowercased() == b.lowercased() || TextSimilarity.similarity(a, b) >= nearDuplicateThreshold
    }

    /// Keeps items in order, dropping each that is a near-duplicate of one kept before it.
    ///
    /// - Returns: The kept indexes, and for each dropped index the kept index it duplicates.
    /// - Complexity: O(n²) comparisons.
    public func removingNearDuplicates(_ items: [Item]) -> (kept: [Int], dropped: [(index: Int, duplicateOf: Int)]) {
        var kept: [Int] = []
        var keptShingles: [Set<String>] = []
        var dropped: [(Int, Int)] = []
        for (index, item) in items.enumerated() {
            let shingles = TextSimilarity.shingles(item.text)
            if let match = kept.indices.first(where: {
                items[kept[$0]].text.lowercased() == item.text.lowercased()
                    || TextSimilarity.jaccard(keptShingles[$0], shingles) >= nearDuplicateThreshold
            }) {
                dropped.append((index, kept[match]))
            } else {
                kept.append(index)
                keptShingles.append(shingles)
            }
        }
        return (kept, dropped)
    }

    /// Drops the near-duplicates among `candidates` (each named in a rejection, with the variant it repeats) and keeps
    /// the `count` most diverse of the rest, compared on ``GeneratedVariant/readerText`` and their labels: what every
    /// generator does with its candidates.
    public func choose(_ count: Int, from candidates: [GeneratedVariant]) -> (chosen: [GeneratedVariant], rejected: [Rejection]) {
        let items = candidates.map { Item(text: $0.readerText, labels: $0.labels) }
        let (kept, dropped) = removingNearDuplicates(items)
        let rejected = dropped.map { index, duplicateOf in
            Rejection(text: candidates[index].text, reasons: ["near-duplicate of \"\(candidates[duplicateOf].text)\""])
        }
        let chosen = select(count, from: kept.map { items[$0] }).map { candidates[kept[$0]] }
        return (chosen, rejected)
    }

    /// The distance between two items, from 0 (same) to 1.
    public func distance(_ a: Item, _ b: Item) -> Double {
        distance(TextSimilarity.shingles(a.text), a.labels, TextSimilarity.shingles(b.text), b.labels)
    }

    private func distance(_ aShingles: Set<String>, _ aLabels: [String], _ bShingles: Set<String>, _ bLabels: [String]) -> Double {
        let text = 1 - TextSimilarity.jaccard(aShingles, bShingles)
        let total = max(aLabels.count, bLabels.count)
        let features = total == 0 ? 0 : Double(total - Set(aLabels).intersection(bLabels).count) / Double(total)
        return textWeight * text + (1 - textWeight) * features
    }

    /// Picks up to `count` items, greedily maximising the smallest distance to those already picked.
    /// Ties go to the earlier item, so the result is deterministic for a given order.
    ///
    /// - Returns: Indexes into `items`, in the order picked (the first item first).
    /// - Complexity: O(n × count) distance evaluations.
    public func select(_ count: Int, from items: [Item]) -> [Int] {
        guard count > 0, !items.isEmpty else { return [] }
        let shingles = items.map { TextSimilarity.shingles($0.text) }
        var chosen = [0]
        var nearest = items.indices.map { distance(shingles[$0], items[$0].labels, shingles[0], items[0].labels) }
        nearest[0] = -1
        while chosen.count < min(count, items.count) {
            var best = -1
            for index in items.indices where nearest[index] >= 0 && (best < 0 || nearest[index] > nearest[best]) { best = index }
            guard best >= 0 else { break }
            chosen.append(best)
            nearest[best] = -1
            for index in items.indices where nearest[index] >= 0 {
                nearest[index] = min(nearest[index], distance(shingles[index], items[index].labels, shingles[best], items[best].labels))
            }
        }
        return chosen
    }
}
