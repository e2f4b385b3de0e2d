import Channels
import ContentVariants
import Foundation
import HeraldCore
import Testing

@Suite struct FeatureTests {
    @Test func readsFeaturesFromText() throws {
        let text =
            "Ready for your first ultra? 🏃‍♀️ 12,000 runners already swear by @trailblazer. Shop the sale: https://example.com/x #trailrunning #ultra"
        let features = ContentFeatures(text: text, channel: .x)
        #expect(features.hasQuestion)
        #expect(features.hasNumber)
        #expect(features.emojiCount == 1)
        #expect(features.hashtagCount == 2)
        #expect(features.mentionCount == 1)
        #expect(features.linkCount == 1)
        #expect(features.ctaType == .shop)
        #expect(features.hook == .question)
        #expect(features.words == 13)
        #expect(features.length == ChannelRules.weightedLength(text))
        let ease = try #require(features.readingEase)
        #expect(ease > 50 && ease < 110)
    }

    @Test func hooksToneAndCTAClassification() {
        #expect(ContentClassifier.hook(of: "Last chance: 20% off ends tonight.") == .urgency)
        #expect(ContentClassifier.hook(of: "3 reasons runners switch.") == .number)
        #expect(ContentClassifier.hook(of: "Join 12k runners who love it.") == .socialProof)
        #expect(ContentClassifier.hook(of: "The secret trail runners keep…") == .curiosity)
        #expect(ContentClassifier.hook(of: "Grip that holds on wet rock.") == .benefit)
        #expect(ContentClassifier.ctaType(of: "Sign up today") == .signup)
        #expect(ContentClassifier.ctaType(of: "Learn more at our site") == .learn)
        #expect(ContentClassifier.ctaType(of: "Nothing to do here") == .none)
        #expect(ContentClassifier.tone(of: "Hurry, last chance! Ends tonight, buy now") == .urgent)
        #expect(ContentClassifier.tone(of: "Woo! 🎉 Treat yourself! 🔥") == .playful)
    }

    @Test func readingEaseOrdersSimpleBeforeComplicated() throws {
        let simple = try #require(ReadingEase.flesch("The cat sat on the mat. It was warm."))
        let hard = try #require(ReadingEase.flesch("Organizational interoperability necessitates comprehensive institutional considerations."))
        #expect(simple > 90)
        #expect(hard < 30)
        #expect(ReadingEase.flesch("🎉 #tag") == nil)
    }

    @Test func featuresEncodeWithSnakeCaseKeys() throws {
        let features = ContentFeatures(text: "Hi? #a", channel: .sms)
        let json = String(decoding: try JSONEncoder().encode(features), as: UTF8.self)
        for key in ["has_question", "emoji_count", "hashtag_count", "mention_count", "cta_type", "reading_ease", "sms_segments"] {
            #expect(json.contains("\"\(key)\""))
        }
    }
}
