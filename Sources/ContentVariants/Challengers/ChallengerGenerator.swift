import Channels
import HeraldCore

/// What analytics learned about one feature value: its estimated effect on the success rate
/// (absolute, e.g. +0.004 for `hook=question`), from feature attribution.
public struct FeatureEffect: Sendable, Equatable, Codable {
    public var dimension: VariantPlan.Dimension
    public var value: String
    public var effect: Double

    public init(dimension: VariantPlan.Dimension, value: String, effect: Double) {
        self.dimension = dimension
        self.value = value
        self.effect = effect
    }
}

/// Generates challengers to a winning variant: each keeps the winner's plan and phrases and changes
/// exactly one dimension, the most promising first (the largest estimated gain over the winner's value
/// when feature effects are known; otherwise in a seeded order). The parent is recorded on each.
public struct ChallengerGenerator: Sendable {
    public var policy: SafetyPolicy

    public init(policy: SafetyPolicy = .none) {
        self.policy = policy
    }

    /// Up to `count` challengers of `winner`, which must carry a plan (variants from the rule generator do;
    /// for others, ``VariantPlan`` is inferred from the features).
    ///
    /// - Parameters:
    ///   - parent: The winner's id (or key), recorded on each challenger.
    public func challengers(
        of winner: GeneratedVariant,
        parent: String,
        brief: Brief,
        count: Int,
        effects: [FeatureEffect] = [],
        seed: UInt64
    ) throws(ValidationError) -> GenerationResult {
        try brief.validate()
        let channel = winner.channel
        let base = winner.plan ?? Self.inferredPlan(of: winner, brief: brief)
        let space = PlanSpace(brief: brief, channel: channel, library: .english)
        func effect(_ dimension: VariantPlan.Dimension, _ value: String) -> Double {
            effects.first { $0.dimension == dimension && $0.value == value }?.effect ?? 0
        }
        var options: [(gain: Double, order: UInt64, plan: VariantPlan, change: String)] = []
        var random = SplitMix64(seed: seed, stream: "challengers")
        for dimension in VariantPlan.Dimension.allCases {
            let current = base.value(of: dimension)
            let order = random.next()
            for candidate in Self.alternatives(of: base, along: dimension, in: space) {
                let value = candidate.value(of: dimension)
                options.append(
                    (effect(dimension, value) - effect(dimension, current), order, candidate, "\(dimension.rawValue): \(current) → \(value)")
                )
            }
        }
        // Most promising first; one change per dimension before a second value of any dimension.
        options.sort { ($0.gain, $1.order) > ($1.gain, $0.order) }
        var seenDimensions = Set<String>()
        let firstRound = options.filter { seenDimensions.insert(String($0.change.prefix { $0 != ":" })).inserted }
        let ordered = firstRound + options.filter { option in !firstRound.contains { $0.change == option.change } }
        let merged = policy.merged(with: brief.safety)
        let validator = VariantValidator(channel: channel, policy: merged)
        var result = GenerationResult(variants: [], rejected: [], candidates: 0)
        var texts: Set<String> = [winner.text]
        for option in ordered where result.variants.count < count {
            result.candidates += 1
            guard let draft = RuleGenerator.compose(option.plan, brief: brief, channel: channel, policy: merged) else { continue }
            let plan = draft.plan ?? option.plan
            // A change the channel or brief undid (an emoji SMS would not take) is no challenger.
            guard plan != base else { continue }
            let text: String
            let warnings: [String]
            var email: EmailContent?
            if let draftEmail = draft.email {
                let (prepared, check, reasons) = validator.prepare(email: draftEmail)
                guard reasons.isEmpty else {
                    result.rejected.append(Rejection(text: "\(prepared.subject)\n\n\(prepared.body)", reasons: reasons))
                    continue
                }
                (text, warnings, email) = (prepared.body, check.warnings.map { "subject \($0)" }, prepared)
            } else {
                let (prepared, check, reasons) = validator.prepare(draft.text)
                guard reasons.isEmpty else {
                    result.rejected.append(Rejection(text: prepared, reasons: reasons))
                    continue
                }
                (text, warnings) = (prepared, check.warnings)
            }
            guard texts.insert(email.map { "\($0.subject)\n\(text)" } ?? text).inserted else { continue }
            var features = ContentFeatures(text: text, channel: channel, rules: validator.rules, callToAction: brief.cta)
            features.hook = plan.hook
            features.tone = plan.tone
            if !plan.cta.isEmpty { features.ctaType = ContentClassifier.ctaType(ofPhrase: plan.cta) }
            result.variants.append(
                GeneratedVariant(
                    text: text,
                    channel: channel,
                    features: features,
                    plan: plan,
                    generator: "challenger/rules/en",
                    parent: parent,
                    change: option.change,
                    warnings: warnings,
                    email: email
                )
            )
        }
        return result
    }

    /// Every plan that differs from `plan` in `dimension` only.
    static func alternatives(of plan: VariantPlan, along dimension: VariantPlan.Dimension, in space: PlanSpace) -> [VariantPlan] {
        var plans: [VariantPlan] = []
        func add(_ change: (inout VariantPlan) -> Void) {
            var copy = plan
            change(&copy)
            if copy != plan { plans.append(copy) }
        }
        switch dimension {
        case .hook: for value in space.hooks { add { $0.hook = value } }
        case .tone: for value in space.tones { add { $0.tone = value } }
        case .length: for value in space.lengths { add { $0.length = value } }
        case .emoji: for value in space.emoji { add { $0.emoji = value } }
        case .hashtags: for value in space.hashtags { add { $0.hashtags = value } }
        case .cta: for value in space.ctas { add { $0.cta = value } }
        case .linkPosition: for value in space.links { add { $0.linkPosition = value } }
        }
        return plans
    }

    /// A plan read from a variant's features, for winners written by hand or by an LLM.
    static func inferredPlan(of variant: GeneratedVariant, brief: Brief) -> VariantPlan {
        let f = variant.features
        let length: LengthBucket = f.words <= 15 ? .short : f.words <= 35 ? .medium : .long
        let cta = PhraseLibrary.english.ctas.first { $0.0 == f.ctaType }?.1 ?? "Learn more"
        return VariantPlan(
            hook: f.hook,
            tone: f.tone,
            length: length,
            emoji: f.emojiCount > 0,
            hashtags: min(f.hashtagCount, brief.hashtags.count),
            cta: cta,
            linkPosition: f.linkCount > 0 && brief.link != nil ? .end : .none,
            phraseSeed: stableHash(variant.text)
        )
    }
}
