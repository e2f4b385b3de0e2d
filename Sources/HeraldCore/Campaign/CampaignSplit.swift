/// How a channel's variants share its publications: each variant's weight (equal unless autopilot or a person set
/// another), normalised over the variants that go to the channel.
///
/// A channel that splits an audience (email, SMS) sends every variant at each fire, each to its share of the
/// recipients. A channel where one post reaches every follower publishes one variant per fire: the one furthest
/// behind its share so far (smooth weighted rotation), so equal weights alternate A, B, A, B and 0.75/0.25 goes
/// A, A, B, A, A, A, B, A… — deterministic, and exact over every run of fires.
public enum CampaignSplit {
    /// Each variant's share among `variants`: weights normalised. A variant without a weight (added after a split was
    /// set) weighs the mean of the set weights, so a variant stopped with 0 stays stopped; with no weight set at all
    /// (or only zeros), every variant without one has an equal share.
    public static func shares(of variants: [Campaign.Variant]) -> [VariantID: Double] {
        Dictionary(uniqueKeysWithValues: zip(variants.map(\.id), shares(of: variants.map(\.weight))))
    }

    /// The shares that `weights` make (nil: unset), in their order, by the rule of ``shares(of:)-([Campaign.Variant])``.
    public static func shares(of weights: [Double?]) -> [Double] {
        guard !weights.isEmpty else { return [] }
        let set = weights.compactMap { $0 }.filter { $0.isFinite && $0 >= 0 }
        let mean = set.isEmpty ? 0 : set.reduce(0, +) / Double(set.count)
        let unset = mean > 0 ? mean : 1
        let resolved = weights.map { weight in weight.map { $0.isFinite && $0 >= 0 ? $0 : 0 } ?? unset }
        let total = resolved.reduce(0, +)
        guard total > 0 else { return weights.map { _ in 1 / Double(weights.count) } }
        return resolved.map { $0 / total }
    }

    /// Checks a new split of a campaign's variants, each given by its key and the channels it goes to: every key is a
    /// variant's, every weight a share from 0 to 1 (nil: unset), and every channel keeps a live variant (a weight above 0,
    /// or unset), since a channel whose variants are all stopped would fall back to an equal split.
    ///
    /// - Parameter field: The name errors give the split (`weights`, `split`).
    /// - Throws: ``ValidationError`` naming the key or the channel.
    public static func check(_ weights: [String: Double?], of variants: [(key: String, channels: [Channel])], field: String) throws {
        let keys = Set(variants.map(\.key))
        for (key, weight) in weights.sorted(by: { $0.key < $1.key }) {
            guard keys.contains(key) else {
                throw ValidationError(field: "\(field).\(key)", reason: "is not a variant of the campaign (\(keys.sorted().joined(separator: ", ")))")
            }
            if let weight, !(weight.isFinite && (0...1).contains(weight)) {
                throw ValidationError(field: "\(field).\(key)", reason: "\(weight) is not a weight from 0 to 1")
            }
        }
        var channels: [Channel] = []
        for variant in variants { for channel in variant.channels where !channels.contains(channel) { channels.append(channel) } }
        for channel in channels {
            let live = variants.contains { variant in
                guard variant.channels.contains(channel), let weight = weights[variant.key] else { return false }
                return weight.map { $0 > 0 } ?? true
            }
            guard live else {
                throw ValidationError(field: field, reason: "leaves \(channel.rawValue) without a variant; give one of its variants a weight above 0")
            }
        }
    }

    /// The variant the next post on a one-post channel should carry, given how many posts each had before.
    ///
    /// The variant with the largest deficit `share × (posts so far + 1) − its posts` goes next; ties go to the
    /// earlier variant. Variants with a share of 0 never go.
    public static func next(among variants: [Campaign.Variant], published counts: [VariantID: Int]) -> Campaign.Variant? {
        let shares = shares(of: variants)
        let total = variants.reduce(0) { $0 + (counts[$1.id] ?? 0) }
        var best: (variant: Campaign.Variant, deficit: Double)?
        for variant in variants {
            let share = shares[variant.id] ?? 0
            guard share > 0 else { continue }
            let deficit = share * Double(total + 1) - Double(counts[variant.id] ?? 0)
            if best == nil || deficit > best!.deficit + 1e-12 { best = (variant, deficit) }
        }
        return best?.variant
    }
}
