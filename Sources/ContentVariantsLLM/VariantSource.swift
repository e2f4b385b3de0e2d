import ContentVariants
import HeraldCore

/// Chooses the generator: the LLM when it is configured, the rule generator otherwise — and the rules
/// also when the LLM fails or returns too few usable variants (the result says so in `fallbackReason`).
public struct VariantSource: Sendable {
    /// The LLM endpoint, or nil for rules only.
    public var llm: LLMConfiguration?
    let transport: any ChatTransport
    let budget: LLMBudget

    /// - Parameters:
    ///   - llm: The endpoint (from ``LLMConfiguration/init(environment:)``), or nil.
    ///   - transport: How requests are sent (default: async-http-client's shared client).
    ///   - budget: The per-workspace budget, shared by every generation of this process.
    public init(llm: LLMConfiguration?, transport: (any ChatTransport)? = nil, budget: LLMBudget? = nil) {
        self.llm = llm
        self.transport = transport ?? HTTPChatTransport()
        self.budget = budget ?? LLMBudget(limits: llm?.budget ?? .init())
    }

    /// Generates `count` variants of `brief` for `channel`.
    ///
    /// - Throws: ``ValidationError`` when the brief or count is unusable (from the rule generator's checks).
    public func generate(
        brief: Brief,
        channel: Channel,
        count: Int,
        seed: UInt64,
        policy: SafetyPolicy,
        workspace: String = "default"
    ) async throws(ValidationError) -> GenerationResult {
        try brief.validate()
        let rules = RuleGenerator(policy: policy)
        guard let llm else { return try rules.generate(brief: brief, channel: channel, count: count, seed: seed) }
        let generator = LLMVariantGenerator(configuration: llm, transport: transport, budget: budget, policy: policy)
        var result: GenerationResult
        do {
            result = try await generator.generate(brief: brief, channel: channel, count: count, seed: seed, workspace: workspace)
        } catch {
            var fallback = try rules.generate(brief: brief, channel: channel, count: count, seed: seed)
            fallback.fallbackReason = "\(error); used the rule generator"
            return fallback
        }
        if result.variants.count < count {
            // Top up from the rules, skipping anything close to what the LLM wrote.
            let extra = try rules.generate(brief: brief, channel: channel, count: count, seed: seed)
            let selector = DiversitySelector()
            for variant in extra.variants where result.variants.count < count {
                if !result.variants.contains(where: { selector.areNearDuplicates($0.text, variant.text) }) {
                    result.variants.append(variant)
                }
            }
            result.fallbackReason = "the LLM gave too few usable variants; the rest come from the rule generator"
        }
        return result
    }
}
