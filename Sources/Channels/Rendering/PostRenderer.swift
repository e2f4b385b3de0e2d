import Foundation
import HeraldCore

/// Renders a variant for a channel: every link becomes the publication's tracking link, a post without a link
/// gets one, SMS ends with the workspace's opt-out line, and an email gets an HTML part with the open pixel.
///
/// ```swift
/// let post = PostRenderer.render(variant, for: .x, links: .init(click: "https://t.example/r/abc", pixel: nil))
/// // "Trail season is here. https://t.example/r/abc"
/// ```
public enum PostRenderer {
    /// The tracking URLs of one publication.
    public struct Links: Sendable, Equatable {
        /// Where clicks go (`/r/{code}`); nil when the campaign has no destination to redirect to.
        public var click: String?
        /// The open pixel (`/p/{code}.gif`), for email.
        public var pixel: String?

        public init(click: String?, pixel: String?) {
            self.click = click
            self.pixel = pixel
        }
    }

    /// The variant as it goes out on `channel`.
    ///
    /// - Parameters:
    ///   - smsOptOut: The line every SMS ends with (the workspace's, e.g. "Reply STOP to opt out"); nil or empty: none.
    public static func render(_ variant: Campaign.Variant, for channel: Channel, links: Links, smsOptOut: String? = nil) -> RenderedPost {
        switch channel {
        case .email:
            let email = variant.email ?? EmailContent(subject: variant.text, body: variant.text)
            let text = withLinks(email.body, links.click, appending: true)
            return RenderedPost(
                channel: .email,
                text: text,
                subject: email.subject,
                preheader: email.preheader,
                html: emailHTML(text: text, preheader: email.preheader, pixel: links.pixel)
            )
        case .sms:
            var body = variant.text.trimmingCharacters(in: .whitespacesAndNewlines)
            let optOut = smsOptOut?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            if !optOut.isEmpty, body.hasSuffix(optOut) {
                body = String(body.dropLast(optOut.count)).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            body = withLinks(body, links.click, appending: true)
            return RenderedPost(channel: .sms, text: optOut.isEmpty ? body : "\(body)\n\(optOut)")
        case .instagram:
            // Caption links cannot be clicked: links written in the text still carry the tracking link, but none is added.
            return RenderedPost(channel: channel, text: withLinks(variant.text, links.click, appending: false))
        default:
            return RenderedPost(channel: channel, text: withLinks(variant.text, links.click, appending: true))
        }
    }

    /// The HTML part of an email whose plain-text part (links already tracking links) is `text`: paragraphs, links
    /// as anchors, the preheader hidden at the top and the open pixel at the end.
    public static func emailHTML(text: String, preheader: String, pixel: String?) -> String {
        EmailHTML.document(body: text, preheader: preheader, pixel: pixel)
    }

    /// `text` with every link replaced by `click`, or `click` added on a line of its own when the text has none.
    static func withLinks(_ text: String, _ click: String?, appending: Bool) -> String {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let click else { return text }
        if !TextScanner.links(in: text).isEmpty { return TextScanner.replacingLinks(in: text, with: click) }
        return appending ? "\(text)\n\(click)" : text
    }
}
