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
        guard !variants.isEmpty else { return [:] }
        let set = variants.compactMap(\.weight).filter { $0.isFinite && $0 >= 0 }
        let mean = set.isEmpty ? 0 : set.reduce(0, +) / Double(set.count)
        let unset = mean > 0 ? mean : 1
        let weights = variants.map { variant in variant.weight.map { $0.isFinite && $0 >= 0 ? $0 : 0 } ?? unset }
        var total = weights.reduce(0, +)
        var shares: [VariantID: Double] = [:]
        guard total > 0 else {
            total = Double(variants.count)
            for variant in variants { shares[variant.id] = 1 / total }
            return shares
        }
        for (variant, weight) in zip(variants, weights) { shares[variant.id] = weight / total }
        return shares
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
