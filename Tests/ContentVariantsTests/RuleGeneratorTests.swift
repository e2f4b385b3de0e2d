import Channels
import ContentVariants
import Foundation
import HeraldCore
import PropertyBased
import Testing

@Suite struct RuleGeneratorTests {
    @Test func generatesTheCountAskedForWithFeaturesAndPlans() throws {
        let result = try RuleGenerator().generate(brief: Fixtures.brief, channel: .x, count: 8, seed: 7)
        #expect(result.variants.count == 8)
        for variant in result.variants {
            let plan = try #require(variant.plan)
            #expect(variant.features.hook == plan.hook)
            #expect(variant.features.tone == plan.tone)
            #expect(variant.generator == "rules/en")
            #expect(ChannelRules.standard(for: .x).check(variant.text).isValid)
        }
        // The set spreads over hooks and tones.
        #expect(Set(result.variants.map(\.features.hook)).count >= 4)
        #expect(Set(result.variants.map(\.features.tone)).count >= 3)
    }

    @Test func aFixedToneIsKept() throws {
        var brief = Fixtures.brief
        brief.tone = .professional
        let result = try RuleGenerator().generate(brief: brief, channel: .linkedin, count: 5, seed: 1)
        #expect(result.variants.allSatisfy { $0.plan?.tone == .professional })
    }

    @Test func channelSpecificShapes() throws {
        let email = try RuleGenerator().generate(brief: Fixtures.brief, channel: .email, count: 6, seed: 3)
        #expect(!email.variants.isEmpty)
        for variant in email.variants {
            // The subject is one short line; the body (the variant's text) carries the link.
            let subject = try #require(variant.email?.subject)
            #expect(!subject.contains("http") && !subject.contains("#") && !subject.contains("\n"))
            #expect(subject.count <= 78)
            #expect(variant.text == variant.email?.body && variant.text.contains("https://example.com/shoes"))
        }
        let instagram = try RuleGenerator().generate(brief: Fixtures.brief, channel: .instagram, count: 6, seed: 3)
        #expect(instagram.variants.allSatisfy { !$0.text.contains("https://") })
        #expect(instagram.variants.contains { $0.text.contains("link in bio") })
        let sms = try RuleGenerator().generate(brief: Fixtures.brief, channel: .sms, count: 6, seed: 3)
        #expect(sms.variants.allSatisfy { $0.text.hasPrefix("Trailblazer: ") && $0.features.smsSegments != nil })
    }

    @Test func aMinimalBriefStillWorks() throws {
        for channel in Channel.allCases {
            let result = try RuleGenerator().generate(brief: Fixtures.minimal, channel: channel, count: 3, seed: 11)
            #expect(!result.variants.isEmpty, "\(channel)")
        }
    }

    @Test func briefTemplatesAreSampledInsteadOfTheLibrary() throws {
        var brief = Fixtures.brief
        brief.templates = [try Template("{New|Meet|Say hi to} {{product}}: {{offer}}[, until {{deadline}}]. {Go|Look|Run}! {{link}}")]
        let result = try RuleGenerator().generate(brief: brief, channel: .x, count: 3, seed: 2)
        #expect(result.variants.allSatisfy { $0.generator == "template" && $0.text.contains("Trailblazer 2 trail shoes: 20% off") })
    }

    @Test func refusesBadCounts() {
        #expect(throws: ValidationError.self) { try RuleGenerator().generate(brief: Fixtures.brief, channel: .x, count: 0, seed: 1) }
        #expect(throws: ValidationError.self) { try RuleGenerator().generate(brief: Fixtures.brief, channel: .x, count: 101, seed: 1) }
    }

    @Test func overLongCandidatesAreRefusedWithTheReason() throws {
        var brief = Fixtures.brief
        brief.offer = String(repeating: "very long offer words ", count: 9).trimmingCharacters(in: .whitespaces)
        let result = try RuleGenerator().generate(brief: brief, channel: .email, count: 4, seed: 5)
        #expect(result.rejected.contains { $0.reasons.contains { $0.contains("email allows at most 78") } })
        #expect(result.variants.allSatisfy { ChannelRules.standard(for: .email).check($0.email?.subject ?? "").isValid })
    }

    // MARK: properties

    static let channels = Channel.allCases

    @Test func propertyEveryVariantRespectsItsChannelAndPolicy() async {
        let policy = SafetyPolicy(bannedWords: ["deal"], requiredDisclosures: ["#ad"])
        await propertyCheck(count: 60, input: Gen.int(in: 0...10_000), Gen.int(in: 0...(Self.channels.count - 1)), Gen.int(in: 1...10)) {
            seed,
            channelIndex,
            count in
            let channel = Self.channels[channelIndex]
            let result = try RuleGenerator(policy: policy).generate(brief: Fixtures.brief, channel: channel, count: count, seed: UInt64(seed))
            #expect(result.variants.count <= count)
            for variant in result.variants {
                // For email the channel's rules hold the subject; the text is the body.
                let checked = channel == .email ? variant.email?.subject ?? "" : variant.text
                #expect(ChannelRules.standard(for: channel).check(checked).isValid, "\(channel): \(checked)")
                #expect(policy.violations(in: variant.text).isEmpty, "\(variant.text)")
                #expect(variant.text.contains("#ad"))
            }
        }
    }

    @Test func propertySameSeedSameVariants() async {
        await propertyCheck(count: 30, input: Gen.int(in: 0...100_000), Gen.int(in: 0...(Self.channels.count - 1))) { seed, channelIndex in
            let channel = Self.channels[channelIndex]
            let first = try RuleGenerator().generate(brief: Fixtures.brief, channel: channel, count: 6, seed: UInt64(seed))
            let second = try RuleGenerator().generate(brief: Fixtures.brief, channel: channel, count: 6, seed: UInt64(seed))
            #expect(first == second)
        }
    }

    @Test func propertyNoTwoVariantsAreNearDuplicates() async {
        let selector = DiversitySelector()
        await propertyCheck(count: 40, input: Gen.int(in: 0...100_000), Gen.int(in: 0...(Self.channels.count - 1))) { seed, channelIndex in
            let result = try RuleGenerator().generate(brief: Fixtures.brief, channel: Self.channels[channelIndex], count: 10, seed: UInt64(seed))
            // What a reader takes in: an email's subject and body together (a subject-line test shares its body).
            let texts = result.variants.map(\.readerText)
            for i in texts.indices {
                for j in texts.indices where j > i {
                    #expect(!selector.areNearDuplicates(texts[i], texts[j]), "\(texts[i]) ~ \(texts[j])")
                }
            }
        }
    }

    /// Found by the property above: two emails with one body and different subjects (a subject-line test) are not
    /// near-duplicates, and two with one subject and near-identical bodies would be.
    @Test func emailsAreComparedOnSubjectAndBodyTogether() throws {
        let result = try RuleGenerator().generate(brief: Fixtures.brief, channel: .email, count: 10, seed: 85_335)
        let selector = DiversitySelector()
        for (i, a) in result.variants.enumerated() {
            for b in result.variants[(i + 1)...] {
                #expect(!selector.areNearDuplicates(a.readerText, b.readerText), "\(a.readerText) ~ \(b.readerText)")
                #expect(a.readerText.hasPrefix(a.email?.subject ?? "no subject"))
            }
        }
    }

    @Test func differentSeedsGiveDifferentSets() throws {
        let a = try RuleGenerator().generate(brief: Fixtures.brief, channel: .x, count: 5, seed: 1)
        let b = try RuleGenerator().generate(brief: Fixtures.brief, channel: .x, count: 5, seed: 2)
        #expect(a.variants.map(\.text) != b.variants.map(\.text))
    }

    @Test func everyLibraryPhraseRendersWithTheFixtureBrief() throws {
        let library = PhraseLibrary.english
        var phrases = library.hooks.values.flatMap { $0 } + library.offers.values.flatMap { $0 } + library.bodies.values.flatMap { $0 }
        phrases += library.proofs + library.subjects.values.flatMap { $0 } + library.preheaders
        for phrase in phrases {
            for text in try phrase.template.expandAll(values: Fixtures.brief.slotValues) {
                #expect(!text.contains("{") && !text.contains("}") && !text.contains("[") && !text.contains("  "), "\(text)")
            }
        }
        // Numbers and social proof come only from the brief (an offer or proof), so those hooks need them; the others
        // work with a product alone.
        for hook in Hook.allCases where hook != .number && hook != .socialProof {
            #expect(library.hooks[hook]?.contains { $0.template.requiredSlotNames == ["product"] } == true, "\(hook) needs a product-only phrase")
        }
        for hook in [Hook.number, .socialProof] {
            #expect(library.hooks[hook]?.allSatisfy { !$0.template.requiredSlotNames.filter { ["offer", "proof"].contains($0) }.isEmpty } == true)
        }
    }
}
