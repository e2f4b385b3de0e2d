import HeraldCore

/// A variant a generator produced: its text, its features, how it was made and from what.
///
/// For email, ``email`` holds the subject, the preheader and the body, and `text` is the plain-text body.
public struct GeneratedVariant: Sendable, Equatable, Codable {
    /// The post as it goes out; for email, the plain-text body.
    public var text: String
    public var channel: Channel
    public var features: ContentFeatures
    /// The choices behind it, when the rule generator made it.
    public var plan: VariantPlan?
    /// Which generator made it (`rules/en`, `template`, `llm:<model>`, `challenger/rules/en`).
    public var generator: String
    /// For a challenger: the id (or key) of the variant it challenges.
    public var parent: String?
    /// For a challenger: the one dimension changed from the parent, as `dimension: old → new`.
    public var change: String?
    /// Channel warnings that do not stop it (cut off in the feed, extra SMS segments).
    public var warnings: [String]
    /// For email: subject, preheader and body (the body is also `text`); nil for other channels.
    public var email: EmailContent?

    public init(
        text: String,
        channel: Channel,
        features: ContentFeatures,
        plan: VariantPlan? = nil,
        generator: String,
        parent: String? = nil,
        change: String? = nil,
        warnings: [String] = [],
        email: EmailContent? = nil
    ) {
        self.text = text
        self.channel = channel
        self.features = features
        self.plan = plan
        self.generator = generator
        self.parent = parent
        self.change = change
        self.warnings = warnings
        self.email = email
    }

    /// What variants are compared on for near-duplicates and diversity: what a reader takes in as a whole. For email
    /// the subject and the body, so the variants of a subject-line test (one body, several subjects) are told apart;
    /// else the text.
    public var readerText: String { email.map { "\($0.subject) \($0.body)" } ?? text }

    /// `dimension=value` labels for diversity: the plan's, or ones read from the features.
    public var labels: [String] {
        if let plan { return plan.labels }
        let lengthBucket = features.words <= 15 ? "short" : features.words <= 35 ? "medium" : "long"
        return [
            "hook=\(features.hook.rawValue)", "tone=\(features.tone.rawValue)", "length=\(lengthBucket)",
            "emoji=\(features.emojiCount > 0)", "hashtags=\(features.hashtagCount)", "cta=\(features.ctaType.rawValue)",
            "link_position=\(features.linkCount > 0 ? "present" : "none")",
        ]
    }

    /// What is stored in `variants.features`: the features, plus the plan and the change when known.
    public var storedFeatures: StoredFeatures {
        StoredFeatures(features: features, plan: plan, change: change)
    }

    enum CodingKeys: String, CodingKey {
        case text, channel, features, plan, generator, parent, change, warnings, email
    }
}

/// The JSON stored with a variant: flat features, with the generator's plan nested.
public struct StoredFeatures: Sendable, Equatable, Codable {
    public var features: ContentFeatures
    public var plan: VariantPlan?
    public var change: String?

    public init(features: ContentFeatures, plan: VariantPlan?, change: String?) {
        self.features = features
        self.plan = plan
        self.change = change
    }

    enum CodingKeys: String, CodingKey { case plan, change }

    public init(from decoder: any Decoder) throws {
        features = try ContentFeatures(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        plan = try container.decodeIfPresent(VariantPlan.self, forKey: .plan)
        change = try container.decodeIfPresent(String.self, forKey: .change)
    }

    public func encode(to encoder: any Encoder) throws {
        try features.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(plan, forKey: .plan)
        try container.encodeIfPresent(change, forKey: .change)
    }
}

/// A candidate that was not emitted, and why.
public struct Rejection: Sendable, Equatable, Codable {
    public var text: String
    public var reasons: [String]

    public init(text: String, reasons: [String]) {
        self.text = text
        self.reasons = reasons
    }
}

/// What a generator returns: the variants, and the candidates it refused with their reasons.
public struct GenerationResult: Sendable, Equatable, Codable {
    public var variants: [GeneratedVariant]
    public var rejected: [Rejection]
    /// How many candidates were considered.
    public var candidates: Int
    /// Set when a generator could not be used and another stood in (e.g. the LLM was over budget).
    public var fallbackReason: String?

    public init(variants: [GeneratedVariant], rejected: [Rejection], candidates: Int, fallbackReason: String? = nil) {
        self.variants = variants
        self.rejected = rejected
        self.candidates = candidates
        self.fallbackReason = fallbackReason
    }

    enum CodingKeys: String, CodingKey {
        case variants, rejected, candidates
        case fallbackReason = "fallback_reason"
    }
}
