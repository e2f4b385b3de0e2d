import Channels
import Connectors
import HeraldCore

/// One audience text message rendered for its recipient: the variant's SMS text with its link the tracked short link
/// of the message's recipient token (`/r/{token}`) and the workspace's opt-out line. No phone number or contact id
/// appears in any URL.
enum AudienceText {
    /// The text message of `variant` for one recipient.
    ///
    /// - Parameters:
    ///   - phone: The recipient, E.164.
    ///   - token: The message's ``RecipientToken``.
    ///   - publicURL: Where Herald's tracking endpoints are reached (`HERALD_PUBLIC_URL`).
    ///   - optOut: The workspace's opt-out line (`Reply STOP to opt out`).
    static func render(
        _ variant: Campaign.Variant,
        of campaign: Campaign,
        to phone: String,
        token: String,
        publicURL: String,
        optOut: String,
        sms: AudienceSMS
    ) -> SMSMessage {
        let links = PostRenderer.Links(
            click: campaign.destination == nil ? nil : TrackingLink.clickURL(base: publicURL, code: token),
            pixel: nil
        )
        let post = PostRenderer.render(variant, for: .sms, links: links, smsOptOut: optOut)
        return SMSMessage(to: phone, from: sms.from, body: post.text)
    }
}
