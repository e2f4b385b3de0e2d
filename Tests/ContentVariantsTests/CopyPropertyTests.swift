import Channels
import ContentVariants
import Foundation
import HeraldCore
import Testing

/// Thousands of variants from varied briefs, each checked against every rule for shipped copy (``CopyChecks``):
/// no claim beyond the brief and no number it does not give, grammar, the call-to-action label, emoji, the SMS
/// opt-out line within the segment limit, the email fields, and the channel's rules.
@Suite struct CopyPropertyTests {
    static let products: [(String, Bool)] = [
        ("Trailblazer 2 trail shoes", true), ("Acme Notes app", false), ("Orbit lamp", false), ("iPhone case", false), ("Umbrellas", true),
        ("Ultra Light 3 tent", false),
    ]
    static let offers: [String?] = [
        nil, "20% off this weekend", "1 free month", "3 free months", "free shipping", "an extra 10% off!", "early access.", "buy 2, get 1 free",
    ]
    static let audiences: [String?] = [nil, "trail runners", "indie artists", "small teams"]
    static let benefits: [String?] = [
        nil, "grip that holds on wet rock", "an hour saved every day", "everyday comfort", "light that follows the sun",
    ]
    static let proofs: [String?] = [nil, "12,000 runners", "1 runner", "3 design studios"]
    static let deadlines: [String?] = [nil, "Sunday", "midnight", "March 1", "the end of June"]
    static let links: [String?] = [nil, "https://example.com/shoes", "https://shop.example.org/p/42?ref=a1"]
    static let ctas: [String?] = [
        nil, "Shop the sale", "shop the sale.", "Book a demo", "Try it free!", "Get early access", "Start your 30-day trial",
    ]
    static let brands: [String?] = [nil, "Trailblazer", "acme"]
    static let optOuts: [String?] = [
        nil, "Reply STOP to opt out", "Text STOP to end", "Reply STOP to unsubscribe from offers and news, or HELP for help",
    ]
    static let tags = ["trailrunning", "gear2026", "outdoors", "lamps"]

    static func pick<T>(_ values: [T], _ random: inout SplitMix64) -> T { values[Int(random.next() % UInt64(values.count))] }

    @Test func thousandsOfVariantsFromVariedBriefsKeepEveryRule() throws {
        var random = SplitMix64(seed: 13, stream: "copy-property")
        var checked = 0
        var perChannel: [Channel: Int] = [:]
        var problems: [String] = []
        for round in 0..<70 {
            let (product, plural) = Self.pick(Self.products, &random)
            let brief = Brief(
                product: product,
                offer: Self.pick(Self.offers, &random),
                audience: Self.pick(Self.audiences, &random),
                link: Self.pick(Self.links, &random),
                cta: Self.pick(Self.ctas, &random),
                hashtags: Self.tags.filter { _ in random.next() % 2 == 0 },
                tone: random.next() % 3 == 0 ? Self.pick(Tone.allCases, &random) : nil,
                benefit: Self.pick(Self.benefits, &random),
                proof: Self.pick(Self.proofs, &random),
                deadline: Self.pick(Self.deadlines, &random),
                brand: Self.pick(Self.brands, &random),
                emoji: random.next() % 4 != 0
            )
            let policy = SafetyPolicy(requiredDisclosures: random.next() % 3 == 0 ? ["#ad"] : [], smsOptOut: Self.pick(Self.optOuts, &random))
            var nouns = [CopyChecks.Noun(text: product, plural: plural)]
            if let proof = brief.proof { nouns.append(CopyChecks.Noun(text: proof, plural: !proof.hasPrefix("1 "))) }
            if let audience = brief.audience { nouns.append(CopyChecks.Noun(text: audience, plural: true)) }
            for channel in Channel.allCases {
                let count = Int(random.next() % 3) + 6
                // A small pool (3 candidates per variant asked for) keeps the test quick; the rules are the same.
                let result = try RuleGenerator(policy: policy, poolFactor: 3).generate(
                    brief: brief,
                    channel: channel,
                    count: count,
                    seed: random.next()
                )
                if result.variants.isEmpty { problems.append("round \(round) \(channel): no variant; rejected \(result.rejected.prefix(2))") }
                for variant in result.variants {
                    checked += 1
                    perChannel[channel, default: 0] += 1
                    for problem in CopyChecks.problems(with: variant, brief: brief, policy: policy, nouns: nouns) {
                        let shown = variant.email.map { "[\($0.subject) | \($0.preheader)] " } ?? ""
                        problems.append(
                            "round \(round) \(channel): \(problem)\n    \(shown)\(variant.text.replacingOccurrences(of: "\n", with: "⏎"))"
                        )
                    }
                }
            }
        }
        #expect(checked >= 3_000, "only \(checked) variants")
        #expect(perChannel.count == Channel.allCases.count && perChannel.values.allSatisfy { $0 >= 250 }, "\(perChannel)")
        #expect(problems.isEmpty, "\(problems.count) problems in \(checked) variants, e.g.:\n\(problems.prefix(30).joined(separator: "\n"))")
    }
}
