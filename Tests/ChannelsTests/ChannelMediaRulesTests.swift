import Channels
import Foundation
import HeraldCore
import Testing

@Suite struct ChannelMediaRulesTests {
    func image(_ mime: String = "image/png", bytes: Int = 100_000, width: Int = 1200, height: Int = 1200, alt: String = "A red shoe") -> VariantMedia
    {
        VariantMedia(id: UUID(), mimeType: mime, width: width, height: height, byteSize: bytes, altText: alt)
    }

    @Test func sizeAndCountPerChannel() {
        let bluesky = ChannelMediaRules.standard(for: .bluesky)
        #expect(bluesky.check([image(bytes: 1_000_000)]).isEmpty)
        #expect(bluesky.check([image(bytes: 1_000_001)]).map(\.code) == [.tooLarge])
        #expect(
            bluesky.check([image(bytes: 1_000_001)]).first?.message
                == "is 1.0 MB (1000001 bytes); bluesky takes at most 1.0 MB (1000000 bytes) per image"
        )
        #expect(bluesky.check(Array(repeating: image(), count: 5)).map(\.code) == [.tooMany])
        #expect(ChannelMediaRules.standard(for: .mastodon).check([image(bytes: 16 * 1_024 * 1_024)]).isEmpty)
        #expect(ChannelMediaRules.standard(for: .x).check([image(bytes: 5_000_001)]).map(\.code) == [.tooLarge])
        #expect(ChannelMediaRules.standard(for: .x).check(Array(repeating: image(), count: 4)).isEmpty)
    }

    @Test func altTextLimitsDifferByPlatform() {
        let long = String(repeating: "a", count: 1_001)
        #expect(ChannelMediaRules.standard(for: .x).check([image(alt: long)]).map(\.code) == [.altTooLong])
        #expect(ChannelMediaRules.standard(for: .mastodon).check([image(alt: long)]).isEmpty)
        #expect(ChannelMediaRules.standard(for: .bluesky).check([image(alt: long)]).isEmpty)
    }

    @Test func instagramNeedsAJPEGInItsAspectRangeWhenPublishing() {
        let instagram = ChannelMediaRules.standard(for: .instagram)
        #expect(instagram.check([]).isEmpty)  // creating: the contract's text-only example stays valid
        #expect(instagram.check([], publishing: true).map(\.code) == [.required])
        #expect(instagram.check([image("image/jpeg", width: 1080, height: 1350)], publishing: true).isEmpty)
        #expect(instagram.check([image("image/png")]).map(\.code) == [.format])
        #expect(instagram.check([image("image/png")]).first?.message == "is image/png; instagram takes JPEG")
        #expect(instagram.check([image("image/jpeg", width: 1000, height: 2000)]).map(\.code) == [.aspectRatio])
        #expect(ChannelMediaRules.standard(for: .linkedin).check([image("image/webp")]).map(\.code) == [.format])
    }

    @Test func smsAndEmailTakeNoImages() {
        let sms = ChannelMediaRules.standard(for: .sms).check([image()])
        #expect(sms.map(\.code) == [.notAccepted])
        #expect(sms.first?.message == "sms takes no images: an SMS carries text only (Herald sends no MMS)")
        #expect(ChannelMediaRules.standard(for: .email).check([image()]).map(\.code) == [.notAccepted])
        #expect(ChannelMediaRules.standard(for: .sms).check([]).isEmpty)
        #expect(ChannelMediaRules.standard(for: .webhook).check([image()]).isEmpty)
    }

    @Test func theCampaignCheckNamesTheImageField() {
        let variant = Campaign.Variant(id: VariantID(UUID()), key: "A", text: "Sale", channels: [.x, .sms], media: [image()])
        #expect(
            throws: ValidationError(
                field: "variants[1].image",
                reason: "for sms: sms takes no images: an SMS carries text only (Herald sends no MMS)"
            )
        ) {
            try CampaignChannelCheck.check([variant], offset: 1, hasDestination: false, smsOptOut: "STOP", linkLength: 30)
        }
        let two = Campaign.Variant(
            id: VariantID(UUID()),
            key: "B",
            text: "Sale",
            channels: [.x],
            media: [image(), image(alt: String(repeating: "b", count: 1_200))]
        )
        #expect(throws: ValidationError(field: "variants[0].images[1].alt", reason: "for x: has alt text of 1200 characters; x takes at most 1000")) {
            try CampaignChannelCheck.check([two], hasDestination: false, smsOptOut: "STOP", linkLength: 30)
        }
    }
}
