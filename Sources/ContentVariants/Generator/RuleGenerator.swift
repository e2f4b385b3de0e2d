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
    /// Email variants carry ``GeneratedVariant/email`` (subject, preheader, body; `text` is the body); SMS variants
    /// end with the policy's opt-out line (``SafetyPolicy/smsOptOut``), the text shortened when needed to stay
    /// within the segment limit.
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
        let merged = policy.merged(with: brief.safety)
        let validator = VariantValidator(channel: channel, policy: merged)
        var candidates: [GeneratedVariant] = []
        var rejected: [Rejection] = []
        var considered = 0
        func consider(_ draft: Draft, generator: String) {
            considered += 1
            let plan = draft.plan
            var variant: GeneratedVariant
            if let email = draft.email {
                let (prepared, check, reasons) = validator.prepare(email: email)
                guard reasons.isEmpty else {
                    rejected.append(Rejection(text: "\(prepared.subject)\n\n\(prepared.body)", reasons: reasons))
                    return
                }
                let features = ContentFeatures(text: prepared.body, channel: channel, rules: validator.rules, callToAction: brief.cta)
                variant = GeneratedVariant(
                    text: prepared.body,
                    channel: channel,
                    features: features,
                    plan: plan,
                    generator: generator,
                    warnings: check.warnings.map { "subject \($0)" },
                    email: prepared
                )
            } else {
                let (prepared, check, reasons) = validator.prepare(draft.text)
                guard reasons.isEmpty else {
                    rejected.append(Rejection(text: prepared, reasons: reasons))
                    return
                }
                let features = ContentFeatures(text: prepared, channel: channel, rules: validator.rules, callToAction: brief.cta)
                variant = GeneratedVariant(
                    text: prepared,
                    channel: channel,
                    features: features,
                    plan: plan,
                    generator: generator,
                    warnings: check.warnings
                )
            }
            if let plan {
                variant.features.hook = plan.hook
                variant.features.tone = plan.tone
                if !plan.cta.isEmpty { variant.features.ctaType = ContentClassifier.ctaType(ofPhrase: plan.cta) }
            }
            candidates.append(variant)
        }
        let poolSize = max(count * poolFactor, 24)
        if brief.templates.isEmpty {
            let space = PlanSpace(brief: brief, channel: channel, library: library)
            var random = SplitMix64(seed: seed, stream: "plans")
            for index in sampleDistinct(poolSize, below: space.count, using: &random) {
                var phraseRandom = SplitMix64(seed: seed, stream: "phrases/\(index)")
                let plan = space.plan(at: index, phraseSeed: phraseRandom.next())
                guard let draft = Self.compose(plan, brief: brief, channel: channel, library: library, policy: merged) else { continue }
                consider(draft, generator: "rules/\(library.language)")
            }
        } else {
            var random = SplitMix64(seed: seed, stream: "templates")
            let values = brief.slotValues
            let perTemplate = max(1, poolSize / brief.templates.count)
            for (number, template) in brief.templates.enumerated() {
                do {
                    for text in try template.sample(perTemplate, values: values, using: &random) {
                        if channel == .email {
                            consider(Self.emailAround(text, brief: brief, library: library), generator: "template")
                        } else {
                            consider(Draft(text: text), generator: "template")
                        }
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
        let (chosen, duplicates) = diversity.choose(count, from: candidates)
        return GenerationResult(variants: chosen, rejected: rejected + duplicates, candidates: considered)
    }

    /// Renders one plan as a post for `channel` (for email, the body); nil when the library has no phrase for its
    /// hook that fits the brief. See ``compose(_:brief:channel:library:policy:)`` for the email fields and the plan
    /// as rendered.
    public static func render(
        _ plan: VariantPlan,
        brief: Brief,
        channel: Channel,
        library: PhraseLibrary = .english,
        policy: SafetyPolicy = .none
    ) -> String? {
        compose(plan, brief: brief, channel: channel, library: library, policy: policy.merged(with: brief.safety))?.text
    }

    /// A rendered plan: the text, the email fields for email, and the plan as rendered (an emoji the channel or
    /// the SMS segment count did not allow is dropped and the plan says so).
    public struct Draft: Sendable, Equatable {
        /// The post, or for email the plain-text body.
        public var text: String
        /// Subject, preheader and body, for email.
        public var email: EmailContent?
        /// The plan behind it; nil for a brief's own template.
        public var plan: VariantPlan?

        public init(text: String, email: EmailContent? = nil, plan: VariantPlan? = nil) {
            self.text = text
            self.email = email
            self.plan = plan
        }
    }

    /// How many emoji a plan with emoji may put on `channel`: LinkedIn and email subjects one (sparing), email
    /// bodies and preheaders none, others two (one closing the opening line, one pointing at the call to action).
    public static func emojiAllowance(for channel: Channel) -> Int {
        switch channel {
        case .linkedin, .email: return 1
        default: return 2
        }
    }

    /// Renders one plan for `channel` with the phrase library and the (merged) safety policy, which decides the
    /// SMS opt-out line; nil when the library has no phrase for its hook that fits the brief.
    ///
    /// Only the brief's facts are stated. On SMS the text ends with the opt-out line (after any disclosures); when
    /// it would take more segments than the channel allows, body lines are dropped, then the opening line is cut,
    /// never the opt-out line; an emoji that would add a segment (GSM-7 → UCS-2) is left out.
    public static func compose(
        _ plan: VariantPlan,
        brief: Brief,
        channel: Channel,
        library: PhraseLibrary = .english,
        policy: SafetyPolicy = .none
    ) -> Draft? {
        var plan = plan
        if !brief.emoji { plan.emoji = false }
        let values = brief.phraseValues
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
        // A fact (offer, benefit, proof) is stated once: a later line that repeats one already said is passed over.
        func repeats(_ line: String, _ said: String) -> Bool { Self.repeatsFact(line, said, values: values) }
        guard let hook = pick(library.hooks[plan.hook], "hook", where: plan.hook == .number ? hasDigit : { _ in true }) else { return nil }
        let offerStated = values["offer"].map { hook.lowercased().contains($0.lowercased()) } ?? true
        let offerLine = offerStated ? nil : pick(library.offers[plan.tone], "offer")
        let cta = plan.cta.isEmpty ? "" : TemplateFilter.capitalize.apply(to: plan.cta)
        let link = values["link"]
        if channel == .email {
            return composeEmail(plan, brief: brief, library: library, hook: hook, offerLine: offerLine, cta: cta, pick: pick)
        }
        var body: [String] = []
        switch plan.length {
        case .short:
            break
        case .medium:
            if let line = offerLine ?? pick(library.bodies[plan.tone], "body", where: { !repeats($0, hook) }) { body.append(line) }
        case .long:
            if let line = pick(library.bodies[plan.tone], "body", where: { !repeats($0, hook) }) { body.append(line) }
            let said = ([hook] + body).joined(separator: " ")
            if let line = pick(library.proofs, "proof", where: { !repeats($0, said) }) { body.append(line) }
            if let offerLine, !repeats(offerLine, ([hook] + body).joined(separator: " ")) { body.append(offerLine) }
        }
        let usesBio = channel == .instagram && link != nil
        let tags = brief.hashtags.prefix(plan.hashtags).map { "#\($0)" }.joined(separator: " ")
        func assemble(emoji useEmoji: Bool, bodyLines: Int, hookWords: Int?) -> String {
            var opening = hook
            if let hookWords {
                let words = hook.split(separator: " ")
                var cut = words.prefix(hookWords).joined(separator: " ")
                while let last = cut.last, last.isPunctuation { cut.removeLast() }
                opening = cut + "…"
            }
            // `…` is not in GSM-7: on SMS it would switch the message to UCS-2 (70 per segment instead of 160).
            if channel == .sms { opening = opening.replacingOccurrences(of: "…", with: "...") }
            if useEmoji, let first = emoji.first {
                opening = plan.tone == .urgent ? "\(first) \(opening)" : "\(opening) \(first)"
            }
            if plan.linkPosition == .afterHook, let link { opening += " \(link)" }
            var action = ""
            if !cta.isEmpty {
                let pointer = useEmoji && emojiAllowance(for: channel) > 1 && emoji.count > 1 ? "\(emoji[1]) " : ""
                let mark = plan.tone == .playful || plan.tone == .urgent ? "!" : "."
                if usesBio {
                    action = "\(pointer)\(cta), link in bio\(mark)"
                } else if plan.linkPosition == .withCTA, let link {
                    action = "\(pointer)\(cta): \(link)"
                } else {
                    action = "\(pointer)\(cta)\(mark)"
                }
            } else if plan.linkPosition == .withCTA, let link, !usesBio {
                action = link
            }
            let lines = Array(body.prefix(bodyLines))
            var text: String
            switch channel {
            case .linkedin, .instagram,
                .facebook where plan.length == .long:
                let paragraphs = [opening, lines.joined(separator: " "), action].filter { !$0.isEmpty }
                text = paragraphs.joined(separator: "\n\n")
                if !tags.isEmpty { text += "\n\n" + tags }
                if plan.linkPosition == .end, let link, !usesBio { text += "\n\n" + link }
            default:
                var prefix = ""
                if channel == .sms, let brand = values["brand"] { prefix = "\(brand): " }
                text = prefix + ([opening] + lines + [action]).filter { !$0.isEmpty }.joined(separator: " ")
                if !tags.isEmpty, channel != .sms { text += " " + tags }
                if plan.linkPosition == .end, let link, !usesBio { text += " " + link }
            }
            return text
        }
        guard channel == .sms else {
            return Draft(text: assemble(emoji: plan.emoji, bodyLines: body.count, hookWords: nil), plan: plan)
        }
        // SMS: the opt-out line (and any disclosures) go last, within the segment limit; shorten the rest to fit.
        let rules = ChannelRules.standard(for: .sms)
        let limit = rules.maximumSegments ?? 1
        func segments(_ text: String) -> Int { rules.check(policy.preparingSMS(text)).segments ?? 0 }
        func fitting(emoji useEmoji: Bool) -> (text: String, kept: Int) {
            for lines in stride(from: body.count, through: 0, by: -1) {
                let text = assemble(emoji: useEmoji, bodyLines: lines, hookWords: nil)
                if segments(text) <= limit { return (text, lines + 1_000) }
            }
            let words = hook.split(separator: " ").count
            for kept in stride(from: words - 1, through: 2, by: -1) {
                let text = assemble(emoji: useEmoji, bodyLines: 0, hookWords: kept)
                if segments(text) <= limit { return (text, kept) }
            }
            // Nothing fits: the validator refuses it with the reason.
            return (assemble(emoji: useEmoji, bodyLines: 0, hookWords: nil), -1)
        }
        let plain = fitting(emoji: false)
        if plan.emoji {
            let decorated = fitting(emoji: true)
            // An emoji never costs a segment, nor words of the message.
            if decorated.kept >= plain.kept, segments(decorated.text) <= segments(plain.text) {
                return Draft(text: policy.preparingSMS(decorated.text), plan: plan)
            }
            plan.emoji = false
        }
        return Draft(text: policy.preparingSMS(plain.text), plan: plan)
    }

    /// An email for a plan: the subject from the library's subject lines (with the offer in parentheses for
    /// medium and long plans when the subject lacks it, and one emoji when the plan has emoji), a preheader that
    /// does not repeat the subject, and a body of the opening line, the offer and body lines, and the call to
    /// action with the brief's link.
    static func composeEmail(
        _ plan: VariantPlan,
        brief: Brief,
        library: PhraseLibrary,
        hook: String,
        offerLine: String?,
        cta: String,
        pick: ([PhraseLibrary.Phrase]?, String, (String) -> Bool) -> String?
    ) -> Draft? {
        let values = brief.phraseValues
        let hasDigit: (String) -> Bool = { $0.contains(where: \.isNumber) }
        guard var subject = pick(library.subjects[plan.hook], "subject", plan.hook == .number ? hasDigit : { _ in true }) else { return nil }
        if plan.length != .short, let offer = values["offer"], !subject.lowercased().contains(offer.lowercased()) {
            // After a finished sentence (`Ready for it?`) the aside starts a new one.
            let aside = subject.last.map { "?!.".contains($0) } == true ? TemplateFilter.capitalize.apply(to: offer) : offer
            subject += " (\(aside))"
        }
        if plan.emoji, let first = library.emoji[plan.tone]?.first { subject = "\(first) \(subject)" }
        let preheader = Self.preheader(library: library, values: values, subject: subject)
        var paragraphs = [hook]
        var middle: [String] = []
        if let offerLine { middle.append(offerLine) }
        let said = ([hook] + middle).joined(separator: " ")
        if plan.length != .short, let line = pick(library.bodies[plan.tone], "body", { !Self.repeatsFact($0, said, values: values) }) {
            middle.append(line)
        }
        if !middle.isEmpty { paragraphs.append(middle.joined(separator: " ")) }
        let link = values["link"]
        let action = cta.isEmpty ? "" : cta
        switch (plan.linkPosition, link) {
        case (.withCTA, let link?): paragraphs.append(action.isEmpty ? link : "\(action): \(link)")
        case (_, let link?):
            if !action.isEmpty { paragraphs.append("\(action).") }
            paragraphs.append(link)
        case (_, nil):
            if !action.isEmpty { paragraphs.append("\(action).") }
        }
        let body = paragraphs.joined(separator: "\n\n")
        return Draft(text: body, email: EmailContent(subject: subject, preheader: preheader, body: body), plan: plan)
    }

    /// Whether `line` states a fact (offer, benefit, proof) that `said` already states.
    static func repeatsFact(_ line: String, _ said: String, values: [String: String]) -> Bool {
        let line = line.lowercased()
        let said = said.lowercased()
        return ["offer", "benefit", "proof"].compactMap { values[$0]?.lowercased() }.contains { line.contains($0) && said.contains($0) }
    }

    /// The first preheader phrase that fits the brief and does not repeat a fact of the subject, cut to
    /// ``EmailContent/maximumPreheaderLength`` at a word.
    static func preheader(library: PhraseLibrary, values: [String: String], subject: String) -> String {
        let lowerSubject = subject.lowercased()
        for phrase in library.preheaders where phrase.template.requiredSlotNames.allSatisfy({ values[$0] != nil }) {
            let facts = phrase.template.requiredSlotNames.filter { $0 != "product" }.compactMap { values[$0]?.lowercased() }
            if facts.contains(where: { lowerSubject.contains($0) }) { continue }
            guard let text = try? phrase.template.render(combination: phrase.template.combinationCount - 1, values: values) else { continue }
            return shortened(text, to: EmailContent.maximumPreheaderLength)
        }
        return ""
    }

    /// `text` cut at a word to at most `limit` characters, ending with `…` when cut.
    static func shortened(_ text: String, to limit: Int) -> String {
        guard text.count > limit else { return text }
        var cut = ""
        for word in text.split(separator: " ") {
            let next = cut.isEmpty ? String(word) : cut + " " + word
            guard next.count < limit else { break }
            cut = next
        }
        while let last = cut.last, last.isPunctuation { cut.removeLast() }
        return cut + "…"
    }

    /// An email around a brief template's text: the text is the body (the brief's link added when missing); the
    /// subject and preheader come from the library.
    static func emailAround(_ text: String, brief: Brief, library: PhraseLibrary) -> Draft {
        let values = brief.phraseValues
        var body = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if let link = values["link"], !body.contains(link) { body += "\n\n" + link }
        var subject = "Meet \(values["product"] ?? brief.product)"
        for phrase in library.subjects[.benefit] ?? [] where phrase.template.requiredSlotNames.allSatisfy({ values[$0] != nil }) {
            if let rendered = try? phrase.template.render(combination: 0, values: values), rendered.count <= 78 {
                subject = rendered
                break
            }
        }
        let preheader = Self.preheader(library: library, values: values, subject: subject)
        return Draft(text: body, email: EmailContent(subject: subject, preheader: preheader, body: body))
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
        // Only hooks with a phrase the brief has the facts for (no social proof without proof, for one).
        let values = brief.phraseValues
        let phrases = channel == .email ? library.subjects : library.hooks
        hooks = Hook.allCases.filter { hook in
            phrases[hook]?.contains { $0.template.requiredSlotNames.allSatisfy { values[$0] != nil } } == true
        }
        if hooks.isEmpty { hooks = [.benefit] }
        tones = brief.tone.map { [$0] } ?? Tone.allCases
        switch channel {
        case .email, .sms: lengths = [.short, .medium]
        default: lengths = LengthBucket.allCases
        }
        emoji = brief.emoji ? [false, true] : [false]
        let most = min(brief.hashtags.count, rules.usualHashtags, rules.maximumHashtags ?? Int.max)
        var counts = [0, 1, 2, 3, 5, 8, 12, 20, 30].filter { $0 <= most }
        if !counts.contains(most) { counts.append(most) }
        hashtags = channel == .email || channel == .sms ? [0] : counts
        var options: [String] = []
        if let cta = brief.phraseValues["cta"], !cta.isEmpty { options.append(cta) }
        for (type, phrase) in library.ctas where !(type == .claim && brief.offer == nil) && !options.contains(phrase) {
            options.append(phrase)
        }
        ctas = Array(options.prefix(5))
        if brief.link == nil || channel == .instagram {
            links = [.none]
        } else if channel == .sms || channel == .email {
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
