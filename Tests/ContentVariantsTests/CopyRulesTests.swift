import Channels
import ContentVariants
import Foundation
import HeraldCore
import Testing

@Suite struct CallToActionDetectionTests {
    @Test func findsTheBriefsCallToActionInAnyForm() {
        let forms = [
            "Shop the sale", "SHOP THE SALE!", "shop the sale.", "👉 Shop the sale: https://example.com/x", "Shop the sale, link in bio!",
            "Trailblazer: Grip that holds. Shop the sale! Reply STOP to opt out", "Shopping the sale? Go.", "We're shopping the sales now",
            "Shop\nthe sale", "Shop the sale🔥", "«Shop the sale»",
        ]
        for text in forms {
            #expect(ContentClassifier.containsCallToAction("Shop the sale", in: text), "\(text)")
            #expect(ContentFeatures(text: text, channel: .x, callToAction: "Shop the sale").hasCTA, "\(text)")
        }
        #expect(!ContentClassifier.containsCallToAction("Shop the sale", in: "The sale is on; shop later"))
        #expect(!ContentClassifier.containsCallToAction("Book a demo", in: "A bookshelf demo"))
    }

    @Test func aCallToActionOutsideTheLexiconIsStillOne() {
        let text = "Orbit lamp: light that follows the sun. 👉 TRY IT FREE! https://example.com"
        #expect(ContentClassifier.ctaType(of: text) == .none)
        #expect(ContentClassifier.ctaType(of: text, callToAction: "Try it free") == .other)
        #expect(ContentFeatures(text: text, channel: .x, callToAction: "Try it free!").hasCTA)
        #expect(ContentClassifier.ctaType(ofPhrase: "Start your 30-day trial") == .other)
        #expect(ContentClassifier.ctaType(ofPhrase: "Book a demo") == .book)
        #expect(ContentClassifier.ctaType(ofPhrase: "") == .none)
    }

    @Test func everyGeneratedVariantWithTheBriefsCallToActionIsLabelled() throws {
        for cta in ["Try it free!", "shop the sale.", "Start your 30-day trial", "Book a demo"] {
            var brief = Fixtures.brief
            brief.cta = cta
            let wanted = brief.phraseValues["cta"] ?? ""
            var found = 0
            for channel in Channel.allCases {
                for seed in 0..<6 as Range<UInt64> {
                    for variant in try RuleGenerator().generate(brief: brief, channel: channel, count: 6, seed: seed).variants
                    where variant.text.lowercased().contains(wanted.lowercased()) {
                        found += 1
                        #expect(variant.features.hasCTA, "\(channel): \(variant.text)")
                    }
                }
            }
            #expect(found > 20, "\(cta): only \(found) variants carried it")
        }
    }
}

@Suite struct EmojiRulesTests {
    @Test func aBriefCanForbidEmoji() throws {
        var brief = try Brief(parsing: Fixtures.briefYAML + "\nemoji: false", source: "brief.yaml")
        #expect(!brief.emoji)
        for channel in Channel.allCases {
            for variant in try RuleGenerator().generate(brief: brief, channel: channel, count: 10, seed: 5).variants {
                let parts = [variant.text, variant.email?.subject ?? "", variant.email?.preheader ?? ""]
                #expect(parts.allSatisfy { TextScanner.emojiCount(in: $0) == 0 }, "\(channel): \(parts)")
                #expect(variant.plan?.emoji == false)
            }
        }
        brief.emoji = true
        let some = try RuleGenerator().generate(brief: brief, channel: .x, count: 12, seed: 5).variants
        #expect(some.contains { $0.features.emojiCount > 0 })
        #expect(throws: ValidationError.self) { try Brief(parsing: "product: A\nemoji: maybe", source: "b.yaml") }
    }

    @Test func linkedInAndEmailSubjectsAreSparing() throws {
        for channel in [Channel.linkedin, .email] {
            for seed in 0..<5 as Range<UInt64> {
                for variant in try RuleGenerator().generate(brief: Fixtures.brief, channel: channel, count: 10, seed: seed).variants {
                    let total = TextScanner.emojiCount(in: variant.text) + TextScanner.emojiCount(in: variant.email?.subject ?? "")
                    #expect(total <= 1, "\(channel): \(variant.text)")
                    if channel == .email { #expect(TextScanner.emojiCount(in: variant.text) == 0) }
                }
            }
        }
    }

    @Test func anEmojiThatWouldAddAnSMSSegmentIsDropped() throws {
        var brief = Fixtures.brief
        brief.tone = .playful
        let plan = VariantPlan(
            hook: .benefit,
            tone: .playful,
            length: .medium,
            emoji: true,
            hashtags: 0,
            cta: "Shop the sale",
            linkPosition: .end,
            phraseSeed: 1
        )
        let draft = try #require(RuleGenerator.compose(plan, brief: brief, channel: .sms, policy: SafetyPolicy(smsOptOut: "Reply STOP to opt out")))
        // Over 70 characters: an emoji would switch to UCS-2 and need 2 segments instead of 1.
        #expect(draft.text.count > 70)
        #expect(TextScanner.emojiCount(in: draft.text) == 0, "\(draft.text)")
        #expect(draft.plan?.emoji == false)
        #expect(SMSEncoding.of(draft.text) == .gsm7)
        // A short one keeps it: one UCS-2 segment either way.
        let short = Brief(product: "Orbit")
        let tiny = VariantPlan(
            hook: .benefit,
            tone: .playful,
            length: .short,
            emoji: true,
            hashtags: 0,
            cta: "Go",
            linkPosition: .none,
            phraseSeed: 1
        )
        let kept = try #require(RuleGenerator.compose(tiny, brief: short, channel: .sms))
        #expect(TextScanner.emojiCount(in: kept.text) > 0, "\(kept.text)")
        #expect(ChannelRules.standard(for: .sms).check(kept.text).segments == 1)
    }
}

@Suite struct SMSOptOutTests {
    let optOut = "Reply STOP to opt out"

    @Test func everySMSVariantEndsWithTheOptOutLine() throws {
        let policy = SafetyPolicy(requiredDisclosures: ["#ad"], smsOptOut: optOut)
        for seed in 0..<8 as Range<UInt64> {
            let result = try RuleGenerator(policy: policy).generate(brief: Fixtures.brief, channel: .sms, count: 8, seed: seed)
            #expect(!result.variants.isEmpty)
            for variant in result.variants {
                #expect(variant.text.hasSuffix(" " + optOut), "\(variant.text)")
                #expect(variant.text.contains("#ad"))
                #expect(ChannelRules.standard(for: .sms).check(variant.text).isValid)
            }
        }
    }

    @Test func aTightSegmentLimitShortensTheTextNeverTheOptOutLine() throws {
        // 400 septets of opt-out leave about 59 of the 459 that 3 segments hold.
        let long = "Reply STOP to opt out. " + String(repeating: "Msg and data rates may apply. ", count: 12).trimmingCharacters(in: .whitespaces)
        let policy = SafetyPolicy(smsOptOut: long)
        let plan = VariantPlan(
            hook: .benefit,
            tone: .professional,
            length: .medium,
            emoji: false,
            hashtags: 0,
            cta: "Shop now",
            linkPosition: .end,
            phraseSeed: 9
        )
        let draft = try #require(RuleGenerator.compose(plan, brief: Fixtures.brief, channel: .sms, policy: policy))
        #expect(draft.text.hasSuffix(long))
        #expect(ChannelRules.standard(for: .sms).check(draft.text).segments ?? 99 <= 3, "\(draft.text)")
        #expect(draft.text.contains("Shop now") && draft.text.contains("https://example.com/shoes"), "\(draft.text)")
        let result = try RuleGenerator(policy: policy).generate(brief: Fixtures.brief, channel: .sms, count: 4, seed: 2)
        for variant in result.variants { #expect(variant.text.hasSuffix(long) && ChannelRules.standard(for: .sms).check(variant.text).isValid) }
    }

    @Test func theValidatorRefusesAnSMSWithoutTheOptOutLine() {
        let validator = VariantValidator(channel: .sms, policy: SafetyPolicy(smsOptOut: optOut))
        #expect(validator.reasons(for: "Orbit lamp: 20% off. Shop now!") == ["does not end with the SMS opt-out line \"Reply STOP to opt out\""])
        #expect(validator.reasons(for: "Orbit lamp: 20% off. Shop now! reply stop to opt out.").isEmpty)
        #expect(validator.reasons(for: "Reply STOP to opt out. Orbit lamp: 20% off.").count == 1)
        let (text, _, reasons) = validator.prepare("Orbit lamp: 20% off. Shop now!")
        #expect(text == "Orbit lamp: 20% off. Shop now! Reply STOP to opt out" && reasons.isEmpty)
        // Disclosures go before the opt-out line.
        let disclosing = VariantValidator(channel: .sms, policy: SafetyPolicy(requiredDisclosures: ["#ad"], smsOptOut: optOut))
        #expect(disclosing.prepare("Hi. Reply STOP to opt out").text == "Hi. #ad Reply STOP to opt out")
        // Other channels, and SMS without a line set, are not held to it.
        #expect(VariantValidator(channel: .x, policy: SafetyPolicy(smsOptOut: optOut)).reasons(for: "Hi").isEmpty)
        #expect(VariantValidator(channel: .sms, policy: .none).reasons(for: "Hi").isEmpty)
    }

    @Test func theWorkspaceLineWinsAndBriefsCanSetOne() throws {
        let brief = try Brief(parsing: "product: Orbit lamp\nsafety: {sms_opt_out: Text STOP to end}", source: "b.yaml")
        #expect(brief.safety.smsOptOut == "Text STOP to end")
        #expect(SafetyPolicy(smsOptOut: optOut).merged(with: brief.safety).smsOptOut == optOut)
        #expect(SafetyPolicy().merged(with: brief.safety).smsOptOut == "Text STOP to end")
        let variants = try RuleGenerator().generate(brief: brief, channel: .sms, count: 3, seed: 1).variants
        #expect(!variants.isEmpty && variants.allSatisfy { $0.text.hasSuffix("Text STOP to end") })
    }
}

@Suite struct EmailVariantTests {
    @Test func emailVariantsHaveSubjectPreheaderAndBody() throws {
        for seed in 0..<6 as Range<UInt64> {
            let result = try RuleGenerator(policy: SafetyPolicy(requiredDisclosures: ["#ad"]))
                .generate(brief: Fixtures.brief, channel: .email, count: 6, seed: seed)
            #expect(result.variants.count == 6)
            for variant in result.variants {
                let email = try #require(variant.email)
                #expect(variant.text == email.body)
                #expect(ChannelRules.standard(for: .email).check(email.subject).isValid, "\(email.subject)")
                #expect(!email.preheader.isEmpty && email.preheader.count <= EmailContent.maximumPreheaderLength)
                #expect(email.body.contains("https://example.com/shoes") && email.body.contains("#ad"))
                #expect(
                    !email.preheader.lowercased().contains("20% off this weekend") || !email.subject.lowercased().contains("20% off this weekend")
                )
            }
        }
        for channel in Channel.allCases where channel != .email {
            #expect(try RuleGenerator().generate(brief: Fixtures.brief, channel: channel, count: 2, seed: 1).variants.allSatisfy { $0.email == nil })
        }
    }

    @Test func theEmailFieldsAreEncodedWithTheVariant() throws {
        let variant = try #require(try RuleGenerator().generate(brief: Fixtures.minimal, channel: .email, count: 1, seed: 1).variants.first)
        let decoded = try JSONDecoder().decode(GeneratedVariant.self, from: JSONEncoder().encode(variant))
        #expect(decoded == variant && decoded.email != nil)
    }

    @Test func theValidatorNamesTheEmailField() {
        let validator = VariantValidator(channel: .email, policy: SafetyPolicy(bannedWords: ["cheap"]))
        let email = EmailContent(subject: String(repeating: "a", count: 80), preheader: String(repeating: "b ", count: 80), body: "Cheap stuff")
        let reasons = validator.prepare(email: email).reasons
        #expect(reasons.contains { $0.hasPrefix("subject is 80 characters") })
        #expect(reasons.contains { $0.hasPrefix("preheader is") })
        #expect(reasons.contains("contains the banned word \"cheap\""))
        #expect(validator.prepare(email: EmailContent(subject: "Hi", body: " ")).reasons == ["body is empty"])
    }
}
