import Channels
import ContentVariants
import Foundation
import HeraldCore
import Testing

/// Every expansion of every phrase in the library, with every shape of brief fact the phrase can take (singular and
/// plural products, names starting with a vowel or in lower case, 1 and many, with and without a deadline, offers
/// ending in punctuation...), is checked for grammar and for claims the brief does not make.
@Suite struct PhraseGrammarTests {
    /// The shapes each slot is tried with; nil (absent) is added for slots a phrase does not require.
    static let shapes: [String: [String]] = [
        "product": ["Trailblazer 2 trail shoes", "Acme Notes app", "Orbit lamp", "iPhone case", "Umbrellas", "Ultra Light 3 tent"],
        "offer": [
            "20% off this weekend", "1 free month", "3 free months", "free shipping", "an extra 10% off!", "early access.", "buy 2, get 1 free",
        ],
        "audience": ["trail runners", "indie artists", "small teams"],
        "benefit": ["grip that holds on wet rock", "an hour saved every day", "everyday comfort", "light that follows the sun"],
        "proof": ["12,000 runners", "1 runner", "3 design studios"],
        "deadline": ["Sunday", "midnight", "March 1", "the end of June"],
        "brand": ["Trailblazer", "acme"],
        "link": ["https://example.com/shoes"],
        "cta": ["Shop the sale", "shop the sale.", "Try it free!"],
    ]
    static let pluralProducts: Set<String> = ["Trailblazer 2 trail shoes", "Umbrellas"]

    static var allPhrases: [(String, PhraseLibrary.Phrase)] {
        let library = PhraseLibrary.english
        var phrases: [(String, PhraseLibrary.Phrase)] = []
        for (hook, list) in library.hooks { phrases += list.map { ("hooks.\(hook.rawValue)", $0) } }
        for (tone, list) in library.offers { phrases += list.map { ("offers.\(tone.rawValue)", $0) } }
        for (tone, list) in library.bodies { phrases += list.map { ("bodies.\(tone.rawValue)", $0) } }
        for (hook, list) in library.subjects { phrases += list.map { ("subjects.\(hook.rawValue)", $0) } }
        phrases += library.proofs.map { ("proofs", $0) } + library.preheaders.map { ("preheaders", $0) }
        return phrases
    }

    /// Every assignment of shapes to `slots` (absent allowed for the optional ones).
    static func assignments(slots: [String], required: [String]) -> [[String: String]] {
        var result: [[String: String]] = [[:]]
        for slot in slots {
            let options: [String?] = (shapes[slot] ?? ["value"]).map { $0 } + (required.contains(slot) ? [] : [nil])
            result = result.flatMap { partial in
                options.map { option in
                    var next = partial
                    if let option { next[slot] = option }
                    return next
                }
            }
        }
        return result
    }

    static func brief(_ facts: [String: String]) -> Brief {
        Brief(
            product: facts["product"] ?? "Orbit lamp",
            offer: facts["offer"],
            audience: facts["audience"],
            link: facts["link"],
            cta: facts["cta"],
            benefit: facts["benefit"],
            proof: facts["proof"],
            deadline: facts["deadline"],
            brand: facts["brand"]
        )
    }

    static func nouns(of brief: Brief) -> [CopyChecks.Noun] {
        var nouns = [CopyChecks.Noun(text: brief.product, plural: pluralProducts.contains(brief.product))]
        if let proof = brief.proof { nouns.append(CopyChecks.Noun(text: proof, plural: !proof.hasPrefix("1 "))) }
        if let audience = brief.audience { nouns.append(CopyChecks.Noun(text: audience, plural: true)) }
        return nouns
    }

    @Test func everyExpansionOfThePhraseLibraryIsGrammaticalAndClaimsOnlyTheBrief() throws {
        var expansions = 0
        var problems: [String] = []
        for (place, phrase) in Self.allPhrases {
            let template = phrase.template
            for facts in Self.assignments(slots: template.slotNames, required: template.requiredSlotNames) {
                let brief = Self.brief(facts)
                for text in try template.expandAll(values: brief.phraseValues) {
                    expansions += 1
                    var found = CopyChecks.grammarProblems(in: text, properNames: [brief.product, brief.brand ?? ""], nouns: Self.nouns(of: brief))
                    found += CopyChecks.claimProblems(in: text, brief: brief, policy: .none)
                    if text.contains(where: { "{}[]".contains($0) }) { found.append("template syntax left in the text") }
                    for problem in found { problems.append("\(place) \"\(template.source)\" → \"\(text)\": \(problem)") }
                }
            }
        }
        #expect(expansions > 1_500, "only \(expansions) expansions were checked")
        #expect(problems.isEmpty, "\(problems.count) problems, e.g.:\n\(problems.prefix(25).joined(separator: "\n"))")
    }

    @Test func callsToActionAreWrittenAsSentencesStartingInUpperCase() {
        for (_, phrase) in PhraseLibrary.english.ctas {
            #expect(CopyChecks.grammarProblems(in: phrase + ".").isEmpty, "\(phrase)")
            #expect(ContentClassifier.ctaType(ofPhrase: phrase) != .none, "\(phrase)")
        }
    }

    /// The checks themselves catch what they are for (so that a passing test means something).
    @Test func theChecksCatchBrokenGrammar() {
        let bad: [(String, String)] = [
            ("Only 1 days left.", "1 with a plural"),
            ("Get 3 free month.", "singular noun"),
            ("Meet a Orbit lamp.", "\"a orbit\""),
            ("It takes an day.", "\"an day\""),
            ("Shop now. great shoes.", "lower case"),
            ("Shop now  today.", "double space"),
            ("Shop now !", "space before"),
            ("20% off!.", "doubled punctuation"),
            ("Trailblazer 2 trail shoes is here.", "disagrees"),
        ]
        for (text, expected) in bad {
            let problems = CopyChecks.grammarProblems(in: text, nouns: [CopyChecks.Noun(text: "Trailblazer 2 trail shoes", plural: true)])
            #expect(problems.contains { $0.contains(expected) }, "\(text): \(problems)")
        }
        #expect(
            CopyChecks.grammarProblems(in: "Save an hour a day. 1 free month, 3 free months. iPhone case: go.", properNames: ["iPhone case"]).isEmpty
        )
        let brief = Brief(product: "Orbit lamp", offer: "20% off")
        #expect(CopyChecks.claimProblems(in: "Orbit lamp: 20% off, stock is limited!", brief: brief, policy: .none).contains { $0.contains("stock") })
        #expect(CopyChecks.claimProblems(in: "Hurry: 20% off.", brief: brief, policy: .none).contains { $0.contains("without a deadline") })
        #expect(CopyChecks.claimProblems(in: "Orbit lamp: 30% off.", brief: brief, policy: .none) == ["the number 30 is not in the brief"])
    }
}
