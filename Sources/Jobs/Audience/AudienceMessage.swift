import Channels
import Foundation
import HeraldCore

/// One audience email rendered for its recipient: the variant's subject, preheader and body with every link a
/// tracked link of the message's recipient token (`/r/{token}`), the open pixel (`/p/{token}.gif`), an unsubscribe
/// link and the `List-Unsubscribe` headers for one-click unsubscribe (RFC 8058), and a `Message-ID` derived from the
/// message's idempotency key (a retry carries the same one). No address or contact id appears in any URL.
enum AudienceMessage {
    /// The email of `variant` for one recipient.
    ///
    /// - Parameters:
    ///   - token: The message's ``RecipientToken``.
    ///   - publicURL: Where Herald's tracking endpoints are reached (`HERALD_PUBLIC_URL`).
    ///   - idempotencyKey: The message's key (`msg-<uuid>`).
    static func render(
        _ variant: Campaign.Variant,
        of campaign: Campaign,
        to address: String,
        token: String,
        idempotencyKey: String,
        publicURL: String,
        mail: AudienceMail
    ) -> MailMessage {
        let links = PostRenderer.Links(
            click: campaign.destination == nil ? nil : TrackingLink.clickURL(base: publicURL, code: token),
            pixel: TrackingLink.pixelURL(base: publicURL, code: token)
        )
        let post = PostRenderer.render(variant, for: .email, links: links)
        let unsubscribe = unsubscribeURL(base: publicURL, token: token)
        let text = post.text + "\n\nUnsubscribe: \(unsubscribe)"
        var html = post.html
        if let body = html, let end = body.range(of: "</body>", options: .backwards) {
            html = body.replacingCharacters(
                in: end,
                with: "<p style=\"font-size:small\"><a href=\"\(HTMLEscaping.escape(unsubscribe))\">Unsubscribe</a></p></body>"
            )
        }
        return MailMessage(
            from: mail.from,
            fromName: mail.fromName,
            to: address,
            subject: post.subject ?? variant.text,
            preheader: post.preheader,
            text: text,
            html: html,
            messageID: MessageID.make(idempotencyKey: idempotencyKey, sender: mail.from),
            headers: ListUnsubscribe(url: unsubscribe).headers
        )
    }

    /// The unsubscribe page and one-click endpoint of a token: `<base>/u/<token>`.
    static func unsubscribeURL(base: String, token: String) -> String {
        var base = base
        while base.hasSuffix("/") { base.removeLast() }
        return "\(base)/u/\(token)"
    }
}
