import Channels
import Foundation
import HeraldCore
import Testing

@Suite struct PostRendererTests {
    static let links = PostRenderer.Links(click: "https://h.example/r/abcdefghijkmnopq", pixel: "https://h.example/p/abcdefghijkmnopq.gif")

    static func variant(_ text: String, email: EmailContent? = nil) -> Campaign.Variant {
        Campaign.Variant(id: VariantID(UUID()), key: "A", text: text, channels: [.x], email: email)
    }

    @Test func everyLinkBecomesTheTrackingLinkAndAPostWithoutOneGetsIt() {
        let replaced = PostRenderer.render(Self.variant("Sale: https://shop.example/a and http://shop.example/b."), for: .x, links: Self.links)
        #expect(replaced.text == "Sale: https://h.example/r/abcdefghijkmnopq and https://h.example/r/abcdefghijkmnopq.")
        let added = PostRenderer.render(Self.variant("Trail season is here."), for: .mastodon, links: Self.links)
        #expect(added.text == "Trail season is here.\nhttps://h.example/r/abcdefghijkmnopq")
        let caption = PostRenderer.render(Self.variant("New shoes. Link in bio."), for: .instagram, links: Self.links)
        #expect(caption.text == "New shoes. Link in bio.", "instagram links cannot be clicked: none is added")
        let noDestination = PostRenderer.render(Self.variant("Hi https://x.example"), for: .x, links: .init(click: nil, pixel: nil))
        #expect(noDestination.text == "Hi https://x.example")
    }

    @Test func smsEndsWithTheOptOutLineOnce() {
        let post = PostRenderer.render(Self.variant("Sale today."), for: .sms, links: Self.links, smsOptOut: "Reply STOP to opt out")
        #expect(post.text == "Sale today.\nhttps://h.example/r/abcdefghijkmnopq\nReply STOP to opt out")
        let written = PostRenderer.render(
            Self.variant("Sale today. Reply STOP to opt out"),
            for: .sms,
            links: Self.links,
            smsOptOut: "Reply STOP to opt out"
        )
        #expect(written.text.components(separatedBy: "Reply STOP").count == 2)
    }

    @Test func emailHasSubjectPreheaderAndAnHTMLPartWithThePixelAndEscapedText() {
        let email = EmailContent(subject: "Trail <season>", preheader: "20% off", body: "Hello & welcome,\n\nShop: https://shop.example/a")
        let post = PostRenderer.render(Self.variant("plain", email: email), for: .email, links: Self.links)
        #expect(post.subject == "Trail <season>")
        #expect(post.preheader == "20% off")
        #expect(post.text == "Hello & welcome,\n\nShop: https://h.example/r/abcdefghijkmnopq")
        let html = try! #require(post.html)
        #expect(html.contains("<p>Hello &amp; welcome,</p>"))
        #expect(html.contains("<a href=\"https://h.example/r/abcdefghijkmnopq\">"))
        #expect(
            html.hasSuffix(
                "<img src=\"https://h.example/p/abcdefghijkmnopq.gif\" width=\"1\" height=\"1\" alt=\"\" style=\"display:block;border:0\"></body></html>"
            )
        )
        #expect(html.contains(">20% off</div>"))
    }

    @Test func channelChecksCountTheTrackingLinkAsTheChannelDoes() throws {
        // 270 characters and a link: on X the link counts 23 (293 > 280), on LinkedIn it is fine.
        let text = String(repeating: "a", count: 270) + " https://shop.example/a"
        var variant = Self.variant(text)
        variant.channels = [.x]
        #expect(throws: ValidationError.self) {
            try CampaignChannelCheck.check([variant], hasDestination: true, smsOptOut: "Reply STOP", linkLength: 40)
        }
        variant.channels = [.linkedin]
        try CampaignChannelCheck.check([variant], hasDestination: true, smsOptOut: "Reply STOP", linkLength: 40)
        // An SMS that fits one segment alone but not with its link and opt-out line is refused past 3 segments.
        variant.channels = [.sms]
        variant.text = String(repeating: "b", count: 440)
        do {
            try CampaignChannelCheck.check([variant], hasDestination: true, smsOptOut: "Reply STOP to opt out", linkLength: 40)
            Issue.record("a 4-segment SMS was accepted")
        } catch {
            #expect(error.field == "variants[0].text")
            #expect(error.reason.contains("for sms: needs 4 SMS segments"))
        }
    }
}
