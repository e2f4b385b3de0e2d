import Channels
import ContentVariants
import Foundation
import HeraldCore

/// The rules shipped copy must keep, as checks that return what is wrong (empty when nothing is): grammar, claims
/// beyond the brief, numbers not from the brief, the call-to-action label, emoji, the SMS opt-out line and segments,
/// and the email fields. Shared by the phrase-library and the property tests.
enum CopyChecks {
    /// A noun phrase of the brief and whether it is plural (for verb agreement).
    struct Noun {
        var text: String
        var plural: Bool
    }

    // MARK: grammar

    /// Nouns whose number the check knows (singular forms; the plural adds `s`).
    static let countNouns = [
        "day", "hour", "week", "month", "year", "minute", "reason", "thing", "runner", "item", "seat", "spot", "customer", "user",
        "review", "star", "artist", "reader", "member", "team", "studio", "trial",
    ]
    static let singularVerbs = ["is", "has", "was", "does", "delivers", "makes", "keeps", "gives", "loves", "swears", "uses", "helps", "brings"]
    static let pluralVerbs = ["are", "have", "were", "do", "deliver", "make", "keep", "give", "love", "swear", "use", "help", "bring"]

    /// Grammar problems in `text`: double spaces, a space before punctuation, doubled punctuation, a sentence that
    /// starts in lower case (unless with a proper name of the brief), `a`/`an` before the wrong sound, a number that
    /// disagrees with its noun (`1 days`, `3 day`), and a verb that disagrees with a noun of the brief.
    static func grammarProblems(in text: String, properNames: [String] = [], nouns: [Noun] = []) -> [String] {
        var problems: [String] = []
        // `...` is how SMS writes an ellipsis (`…` is not in GSM-7).
        let plain = TextScanner.replacingLinks(in: text, with: "LINK").replacingOccurrences(of: "...", with: "…")
        if plain.contains("  ") { problems.append("double space") }
        if plain.range(of: #" [.,!?:;…]"#, options: .regularExpression) != nil { problems.append("space before punctuation") }
        if plain.range(of: #"[.,!?:;…][.,!?:;…]"#, options: .regularExpression) != nil { problems.append("doubled punctuation") }
        problems += capitalisationProblems(plain, properNames: properNames)
        problems += articleProblems(plain)
        problems += numberProblems(plain)
        problems += agreementProblems(plain, nouns: nouns)
        return problems
    }

    /// Sentence starts (the text's start, after a line break, after `.`, `!`, `?` or `…` and a space) in lower case.
    static func capitalisationProblems(_ text: String, properNames: [String]) -> [String] {
        var problems: [String] = []
        let characters = Array(text)
        var starts = [0]
        for index in characters.indices {
            if characters[index].isNewline { starts.append(index + 1) }
            if ".!?…".contains(characters[index]), index + 1 < characters.count, characters[index + 1] == " " { starts.append(index + 1) }
        }
        for start in starts {
            let rest = String(characters[min(start, characters.count)...])
            // The first word that is not an emoji, a hashtag, a mention or a link.
            guard
                let word = rest.split(whereSeparator: \.isWhitespace).first(where: { token in
                    !token.allSatisfy { TextScanner.isEmoji($0) || $0 == "\u{FE0F}" }
                })
            else { continue }
            if word.hasPrefix("#") || word.hasPrefix("@") || word.hasPrefix("LINK") || word.first?.isNumber == true { continue }
            guard let first = word.first(where: \.isLetter), first.isLowercase else { continue }
            let opening = String(rest.drop { $0.isWhitespace || TextScanner.isEmoji($0) || $0 == "\u{FE0F}" })
            if properNames.contains(where: { !$0.isEmpty && opening.hasPrefix($0) }) { continue }
            problems.append("sentence starts in lower case: \"\(word)\"")
        }
        return problems
    }

    static func articleProblems(_ text: String) -> [String] {
        var problems: [String] = []
        let words = text.split(whereSeparator: { $0.isWhitespace }).map { String($0) }
        for (index, word) in words.enumerated().dropLast() {
            let next = words[index + 1].lowercased().trimmingCharacters(in: .punctuationCharacters)
            guard let first = next.first, first.isLetter else { continue }
            let vowelSound = "aeiou".contains(first)
            let exceptionsA = ["uni", "use", "usu", "eu", "one", "once", "ur"]
            let exceptionsAn = ["hour", "honest", "honou", "heir"]
            if word == "a" || word == "A" {
                if vowelSound, !exceptionsA.contains(where: { next.hasPrefix($0) }) { problems.append("\"a \(next)\"") }
            } else if word == "an" || word == "An" {
                if !vowelSound, !exceptionsAn.contains(where: { next.hasPrefix($0) }) { problems.append("\"an \(next)\"") }
            }
        }
        return problems
    }

    static func numberProblems(_ text: String) -> [String] {
        var problems: [String] = []
        let tokens = text.split(whereSeparator: \.isWhitespace).map { $0.lowercased() }
        let words = tokens.map { $0.trimmingCharacters(in: .punctuationCharacters) }
        for (index, word) in words.enumerated() where !word.isEmpty && word.allSatisfy({ $0.isNumber || $0 == "," || $0 == "." }) {
            let one = word == "1" || word == "one"
            // The noun counted is among the next three words of the same clause (`1 free month`).
            var clause: [String] = []
            if tokens[index].last?.isPunctuation != true {
                for next in (index + 1)..<min(words.count, index + 4) {
                    clause.append(words[next])
                    if tokens[next].last?.isPunctuation == true { break }
                }
            }
            for next in clause {
                if countNouns.contains(next) {
                    if !one { problems.append("\"\(word) … \(next)\": a number other than 1 with a singular noun") }
                    break
                }
                if next.hasSuffix("s"), countNouns.contains(String(next.dropLast())) {
                    if one { problems.append("\"\(word) … \(next)\": 1 with a plural noun") }
                    break
                }
            }
        }
        return problems
    }

    static func agreementProblems(_ text: String, nouns: [Noun]) -> [String] {
        var problems: [String] = []
        let lower = text.lowercased()
        for noun in nouns where !noun.text.isEmpty {
            let wrong = noun.plural ? singularVerbs : pluralVerbs
            for verb in wrong where lower.contains("\(noun.text.lowercased()) \(verb) ") || lower.contains("\(noun.text.lowercased()) \(verb).") {
                problems.append("\"\(noun.text) \(verb)\": the verb disagrees with a \(noun.plural ? "plural" : "singular") noun")
            }
        }
        return problems
    }

    // MARK: claims

    /// Claims no brief makes unless it says so: scarcity, social proof, promised outcomes, rankings.
    static let inventedClaims = [
        "stock", "limited", "won't last", "last chance", "running out", "going fast", "snapping", "sold out", "selling fast",
        "feel the difference", "love", "swear by", "trusted", "most-loved", "best-selling", "bestseller", "keep choosing",
        "recommend", "can't be wrong", "secret", "fortune", "while it lasts", "before it's gone", "final hours", "talking about",
        "switching to", "reasons", "guarantee", "#1", "award", "expect more", "day one", "favorite", "favourite", "upgrade",
    ]
    /// Time pressure that only a brief with a deadline may state.
    static let deadlineClaims = ["hurry", "clock is ticking", "until", "ends "]

    /// Claims in `text` that the brief does not make, and numbers in it that the brief does not give.
    static func claimProblems(in text: String, brief: Brief, policy: SafetyPolicy) -> [String] {
        var problems: [String] = []
        let facts =
            ([brief.product]
            + [brief.offer, brief.audience, brief.cta, brief.benefit, brief.proof, brief.deadline, brief.brand, brief.link]
            .compactMap { $0 } + brief.hashtags + policy.requiredDisclosures + [policy.smsOptOut ?? ""])
            .joined(separator: " \u{1}").lowercased()
        let lower = TextScanner.replacingLinks(in: text, with: " ").lowercased()
        for claim in inventedClaims where lower.contains(claim) && !facts.contains(claim) { problems.append("invented claim \"\(claim)\"") }
        if brief.deadline == nil {
            for claim in deadlineClaims where lower.contains(claim) && !facts.contains(claim) {
                problems.append("time pressure \"\(claim)\" without a deadline in the brief")
            }
        }
        // Every number comes from the brief (links, hashtags and mentions aside).
        var rest = TextScanner.replacingLinks(in: text, with: " ")
        for tag in TextScanner.hashtags(in: text) + TextScanner.mentions(in: text) { rest = rest.replacingOccurrences(of: tag, with: " ") }
        var number = ""
        for character in rest + " " {
            if character.isNumber || (!number.isEmpty && ",.".contains(character)) {
                number.append(character)
            } else if !number.isEmpty {
                while let last = number.last, !last.isNumber { number.removeLast() }
                if !facts.contains(number) { problems.append("the number \(number) is not in the brief") }
                number = ""
            }
        }
        return problems
    }

    // MARK: a generated variant

    /// Everything wrong with a generated variant of `brief` for `channel` under `policy`.
    static func problems(with variant: GeneratedVariant, brief: Brief, policy: SafetyPolicy, nouns: [Noun]) -> [String] {
        var problems: [String] = []
        let channel = variant.channel
        let merged = policy.merged(with: brief.safety)
        let properNames = [brief.product, brief.brand ?? ""]
        let parts = [variant.email?.subject, variant.email?.preheader, variant.text].compactMap { $0 }.filter { !$0.isEmpty }
        for part in parts {
            problems += grammarProblems(in: part, properNames: properNames, nouns: nouns)
            problems += claimProblems(in: part, brief: brief, policy: merged)
        }
        // The call to action, in whatever form it was written, is labelled.
        if let cta = brief.cta?.trimmingCharacters(in: CharacterSet(charactersIn: ".! ")), !cta.isEmpty,
            variant.text.lowercased().contains(cta.lowercased()) || ContentClassifier.containsCallToAction(cta, in: variant.text),
            !variant.features.hasCTA
        {
            problems.append("contains the brief's call to action \"\(cta)\" but is labelled cta=\(variant.features.ctaType.rawValue)")
        }
        // Emoji: only where the brief and channel allow, and never adding an SMS segment.
        let emoji = parts.reduce(0) { $0 + TextScanner.emojiCount(in: $1) }
        if !brief.emoji, emoji > 0 { problems.append("has \(emoji) emoji; the brief says emoji: false") }
        if emoji > RuleGenerator.emojiAllowance(for: channel) {
            problems.append("has \(emoji) emoji; \(channel.rawValue) allows \(RuleGenerator.emojiAllowance(for: channel))")
        }
        if let email = variant.email {
            if TextScanner.emojiCount(in: email.body) + TextScanner.emojiCount(in: email.preheader) > 0 {
                problems.append("emoji in an email body or preheader")
            }
        }
        let rules = ChannelRules.standard(for: channel)
        switch channel {
        case .email:
            guard let email = variant.email else {
                problems.append("an email variant without subject, preheader and body")
                break
            }
            if variant.text != email.body { problems.append("text is not the email body") }
            let check = rules.check(email.subject)
            problems += check.violations.map { "subject \($0.message)" }
            if email.preheader.count > EmailContent.maximumPreheaderLength { problems.append("preheader is \(email.preheader.count) characters") }
            if email.preheader.contains(where: \.isNewline) { problems.append("preheader on several lines") }
            if email.body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { problems.append("empty body") }
            if let link = brief.link, !email.body.contains(link) { problems.append("body lacks the brief's link") }
        case .sms:
            if variant.email != nil { problems.append("an SMS variant with email fields") }
            let check = rules.check(variant.text)
            problems += check.violations.map(\.message)
            if let optOut = merged.smsOptOut, !variant.text.hasSuffix(optOut) { problems.append("does not end with the opt-out line \"\(optOut)\"") }
            problems += VariantValidator(channel: .sms, policy: merged).reasons(for: variant.text)
            // Nothing but an emoji (that costs no segment) may switch a GSM-7 brief to UCS-2.
            let given =
                [brief.product, brief.offer, brief.audience, brief.benefit, brief.proof, brief.deadline, brief.brand, brief.cta, brief.link]
                .compactMap { $0 } + brief.hashtags + merged.requiredDisclosures + [merged.smsOptOut ?? ""]
            if emoji == 0, given.allSatisfy({ SMSEncoding.of($0) == .gsm7 }), check.encoding != .gsm7 {
                problems.append("written in UCS-2 though the brief is GSM-7 (\(check.segments ?? 0) segments)")
            }
            if emoji > 0 {
                let without = String(variant.text.filter { !TextScanner.isEmoji($0) }).split(separator: " ").joined(separator: " ")
                let plain = rules.check(without).segments ?? 0
                if (check.segments ?? 0) > plain { problems.append("an emoji adds an SMS segment (\(plain) → \(check.segments ?? 0))") }
            }
        default:
            if variant.email != nil { problems.append("a \(channel.rawValue) variant with email fields") }
            problems += rules.check(variant.text).violations.map(\.message)
        }
        problems += merged.violations(in: variant.text)
        return problems
    }
}
