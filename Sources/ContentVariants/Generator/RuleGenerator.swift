import Channels
import Foundation
import HeraldCore

/// Generates variants from a brief with the phrase library, along named dimensions (hook, tone, length,
/// emoji, hashtags, call to action, link position), deterministically for a seed.
///
/// It samples a pool of distinct plans (several times the count asked for), renders each, refuses those that
/// break the channel's rules or the safety policy (with the reason), drops near-duplicates and keeps the most
/// diverse set (``DiversitySelector``). With templates in the brief, it samples those instead of the library.
///
/// ```swift
/// let result = try RuleGenerator().generate(brief: brief, channel: .x, count: 4, seed: 7)
/// ```
public struct RuleGenerator: Sendable {
    /// The workspace's safety policy (the brief's is added to it).
    public var policy: SafetyPolicy
    /// Near-duplicate threshold and text/feature weighting.
    public var diversity: DiversitySelector
    /// How many candidates to consider per variant asked for.
    public var poolFactor: Int

    public init(policy: SafetyPolicy = .none, diversity: DiversitySelector = DiversitySelector(), poolFactor: Int = 8) {
        self.policy = policy
        self.diversity = diversity
        self.poolFactor = max(1, poolFactor)
    }

    /// The most variants one call generates.
    public static let maximumCount = 100

    /// Generates up to `count` variants for `channel`.
    ///
    /// - Throws: ``ValidationError`` when the brief or the count is not usable.
    public func generate(brief: Brief, channel: Channel, count: Int, seed: UInt64) throws(ValidationError) -> GenerationResult {
        try brief.validate()
        guard (1...Self.maximumCount).contains(count) else {
            throw ValidationError(field: "count", reason: "is \(count); expected 1 to \(Self.maximumCount)")
        }
        guard let library = PhraseLibrary.forLanguage(brief.language) else {
            throw ValidationError(field: "language", reason: "\"\(brief.language)\" has no phrase library")
        }
        let validator = VariantValidator(channel: channel, policy: policy.merged(with: brief.safety))
        var candidates: [GeneratedVariant] = []
        var rejected: [Rejection] = []
        var considered = 0
        func consider(_ text: String, plan: VariantPlan?, generator: String) {
            considered += 1
            let (prepared, check, reasons) = validator.prepare(text)
            guard reasons.isEmpty else {
                rejected.append(Rejection(text: prepared, reasons: reasons))
                return
            }
            var features = ContentFeatures(text: prepared, channel: channel, rules: validator.rules)
            if let plan {
                features.hook = plan.hook
                features.tone = plan.tone
                if !plan.cta.isEmpty { features.ctaType = ContentClassifier.ctaType(of: plan.cta) }
            }
            candidates.append(
                GeneratedVariant(text: prepared, channel: channel, features: features, plan: plan, generator: generator, warnings: check.warnings)
            )
        }
        let poolSize = max(count * poolFactor, 24)
        if brief.templates.isEmpty {
            let space = PlanSpace(brief: brief, channel: channel, library: library)
            var random = SplitMix64(seed: seed, stream: "plans")
            for index in sampleDistinct(poolSize, below: space.count, using: &random) {
                var phraseRandom = SplitMix64(seed: seed, stream: "phrases/\(index)")
                let plan = space.plan(at: index, phraseSeed: phraseRandom.next())
                guard let text = Self.render(plan, brief: brief, channel: channel, library: library) else { continue }
                consider(text, plan: plan, generator: "rules/\(library.language)")
            }
        } else {
            var random = SplitMix64(seed: seed, stream: "templates")
            let values = brief.slotValues
            let perTemplate = max(1, poolSize / brief.templates.count)
            for (number, template) in brief.templates.enumerated() {
                do {
                    for text in try template.sample(perTemplate, values: values, using: &random) {
                        consider(text, plan: nil, generator: "template")
                    }
                } catch {
                    rejected.append(Rejection(text: template.source, reasons: ["templates[\(number)]: \(error)"]))
                }
            }
        }
        return select(count, from: candidates, rejected: rejected, considered: considered)
    }

    /// Drops near-duplicates (reporting them) and keeps the `count` most diverse candidates.
    func select(_ count: Int, from candidates: [GeneratedVariant], rejected: [Rejection], considered: Int) -> GenerationResult {
        var rejected = rejected
        let items = candidates.map { DiversitySelector.Item(text: $0.text, labels: $0.labels) }
        let (kept, dropped) = diversity.removingNearDuplicates(items)
        for (index, duplicateOf) in dropped {
            rejected.append(Rejection(text: candidates[index].text, reasons: ["near-duplicate of \"\(candidates[duplicateOf].text)\""]))
        }
        let keptItems = kept.map { items[$0] }
        let chosen = diversity.select(count, from: keptItems).map { candidates[kept[$0]] }
        return GenerationResult(variants: chosen, rejected: rejected, candidates: considered)
    }

    /// Renders one plan as a post for `channel`; nil when the library has no phrase for its hook that fits the brief.
    public static func render(_ plan: VariantPlan, brief: Brief, channel: Channel, library: PhraseLibrary = .english) -> String? {
        let values = brief.slotValues
        let emoji = library.emoji[plan.tone] ?? []
        func pick(_ phrases: [PhraseLibrary.Phrase]?, _ stream: String, where accept: (String) -> Bool = { _ in true }) -> String? {
            guard let phrases else { return nil }
            let fitting = phrases.filter { $0.template.requiredSlotNames.allSatisfy { values[$0] != nil } }
            let suited = fitting.filter { $0.suits(plan.tone) }
            var random = SplitMix64(seed: plan.phraseSeed, stream: stream)
            for phrase in (suited.isEmpty ? fitting : suited).shuffled(using: &random) {
                guard let text = try? phrase.template.render(values: values, using: &random), accept(text) else { continue }
                return text
            }
            return nil
        }
        let hasDigit: (String) -> Bool = { $0.contains(where: \.isNumber) }
        if channel == .email {
            guard var subject = pick(library.subjects[plan.hook], "subject", where: plan.hook == .number ? hasDigit : { _ in true }) else {
                return nil
            }
            if plan.length != .short, let offer = brief.offer, !subject.lowercased().contains(offer.lowercased()) {
                subject += " (\(offer))"
            }
            if plan.emoji, let first = emoji.first { subject = "\(first) \(subject)" }
            return subject
        }
        guard var hook = pick(library.hooks[plan.hook], "hook", where: plan.hook == .number ? hasDigit : { _ in true }) else { return nil }
        if plan.emoji, let first = emoji.first {
            hook = plan.tone == .urgent ? "\(first) \(hook)" : "\(hook) \(first)"
        }
        let link = brief.link
        let usesBio = channel == .instagram && link != nil
        if plan.linkPosition == .afterHook, let link { hook += " \(link)" }
        var body: [String] = []
        // An opening line that already states the offer is not followed by another offer line.
        let offerStated = brief.offer.map { hook.lowercased().contains($0.lowercased()) } ?? true
        let offerLine = offerStated ? nil : pick(library.offers[plan.tone], "offer")
        switch plan.length {
        case .short:
            break
        case .medium:
            if let line = offerLine ?? pick(library.bodies[plan.tone], "body") { body.append(line) }
        case .long:
            if let line = pick(library.bodies[plan.tone], "body") { body.append(line) }
            if let line = pick(library.proofs, "proof"), !hook.contains(line.dropLast()) { body.append(line) }
            if let offerLine { body.append(offerLine) }
        }
        var cta = ""
        if !plan.cta.isEmpty {
            let pointer = plan.emoji && emoji.count > 1 ? "\(emoji[1]) " : ""
            let mark = plan.tone == .playful || plan.tone == .urgent ? "!" : "."
            if usesBio {
                cta = "\(pointer)\(plan.cta), link in bio\(mark)"
            } else if plan.linkPosition == .withCTA, let link {
                cta = "\(pointer)\(plan.cta): \(link)"
            } else {
                cta = "\(pointer)\(plan.cta)\(mark)"
            }
        } else if plan.linkPosition == .withCTA, let link, !usesBio {
            cta = link
        }
        let tags = brief.hashtags.prefix(plan.hashtags).map { "#\($0)" }.joined(separator: " ")
        var text: String
        switch channel {
        case .linkedin, .instagram,
            .facebook where plan.length == .long:
            let paragraphs = [hook, body.joined(separator: " "), cta].filter { !$0.isEmpty }
            text = paragraphs.joined(separator: "\n\n")
            if !tags.isEmpty { text += "\n\n" + tags }
            if plan.linkPosition == .end, let link, !usesBio { text += "\n\n" + link }
        default:
            var prefix = ""
            if channel == .sms, let brand = brief.brand { prefix = "\(brand): " }
            text = prefix + ([hook] + body + [cta]).filter { !$0.isEmpty }.joined(separator: " ")
            if !tags.isEmpty, channel != .sms { text += " " + tags }
            if plan.linkPosition == .end, let link, !usesBio { text += " " + link }
        }
        return text
    }
}

/// Every combination of dimension values a brief allows on a channel, numbered so that distinct plans can be
/// sampled without listing them all.
struct PlanSpace {
    var hooks: [Hook]
    var tones: [Tone]
    var lengths: [LengthBucket]
    var emoji: [Bool]
    var hashtags: [Int]
    var ctas: [String]
    var links: [LinkPosition]

    init(brief: Brief, channel: Channel, library: PhraseLibrary) {
        let rules = ChannelRules.standard(for: channel)
        hooks = Hook.allCases
        tones = brief.tone.map { [$0] } ?? Tone.allCases
        switch channel {
        case .email, .sms: lengths = [.short, .medium]
        default: lengths = LengthBucket.allCases
        }
        emoji = [false, true]
        let most = min(brief.hashtags.count, rules.usualHashtags, rules.maximumHashtags ?? Int.max)
        var counts = [0, 1, 2, 3, 5, 8, 12, 20, 30].filter { $0 <= most }
        if !counts.contains(most) { counts.append(most) }
        hashtags = channel == .email || channel == .sms ? [0] : counts
        if channel == .email {
            ctas = [""]
        } else {
            var options: [String] = []
            if let cta = brief.cta, !cta.isEmpty { options.append(cta.trimmingCharacters(in: CharacterSet(charactersIn: ".!"))) }
            for (type, phrase) in library.ctas where !(type == .claim && brief.offer == nil) && !options.contains(phrase) {
                options.append(phrase)
            }
            ctas = Array(options.prefix(5))
        }
        if brief.link == nil || channel == .email || channel == .instagram {
            links = [.none]
        } else if channel == .sms {
            links = [.withCTA, .end]
        } else {
            links = [.afterHook, .withCTA, .end]
        }
    }

    /// How many plans there are.
    var count: Int { hooks.count * tones.count * lengths.count * emoji.count * hashtags.count * ctas.count * links.count }

    /// The plan numbered `index` (mixed radix over the dimensions).
    func plan(at index: Int, phraseSeed: UInt64) -> VariantPlan {
        var rest = index
        func digit<T>(_ values: [T]) -> T {
            let value = values[rest % values.count]
            rest /= values.count
            return value
        }
        return VariantPlan(
            hook: digit(hooks),
            tone: digit(tones),
            length: digit(lengths),
            emoji: digit(emoji),
            hashtags: digit(hashtags),
            cta: digit(ctas),
            linkPosition: digit(links),
            phraseSeed: phraseSeed
        )
    }
}
