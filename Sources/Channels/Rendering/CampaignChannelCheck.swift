import Foundation
import HeraldCore

/// Checks every variant of a campaign against the rules of each channel it is written for, as it will go out:
/// rendered with a tracking link (X and Mastodon count it as 23, other channels in full) and, for SMS, the
/// workspace's opt-out line; and its images against the channel's image rules (``ChannelMediaRules``). Creating a
/// campaign or a variant runs this, whichever way it comes (CLI, API).
public enum CampaignChannelCheck {
    /// A stand-in for a publication's tracking link of `length` characters (the real one is made per publication).
    public static func placeholderLink(length: Int) -> String {
        let prefix = "https://t.example/r/"
        return prefix + String(repeating: "x", count: max(length - prefix.count, TrackingLink.codeLength))
    }

    /// The length of the tracking links that `publicURL` makes (`<publicURL>/r/<16 letters>`).
    public static func linkLength(publicURL: String) -> Int {
        TrackingLink.clickURL(base: publicURL, code: String(repeating: "x", count: TrackingLink.codeLength)).count
    }

    /// Throws the first rule a variant breaks on one of its channels.
    ///
    /// - Parameters:
    ///   - variants: The variants with their resolved channels.
    ///   - fieldPrefix: Where the variants sit in the request, e.g. `variants` (so errors name `variants[1].text`).
    ///   - hasDestination: Whether the campaign's posts carry a tracking link at all.
    ///   - smsOptOut: The workspace's opt-out line.
    ///   - linkLength: How long a tracking link is.
    public static func check(
        _ variants: [Campaign.Variant],
        fieldPrefix: String = "variants",
        offset: Int = 0,
        hasDestination: Bool,
        smsOptOut: String,
        linkLength: Int
    ) throws(ValidationError) {
        let link = placeholderLink(length: linkLength)
        for (index, variant) in variants.enumerated() {
            for channel in variant.channels {
                try checkMedia(of: variant, for: channel, field: "\(fieldPrefix)[\(index + offset)]")
                let post = PostRenderer.render(
                    variant,
                    for: channel,
                    links: PostRenderer.Links(click: hasDestination ? link : nil, pixel: hasDestination ? link : nil),
                    smsOptOut: smsOptOut
                )
                let field = "\(fieldPrefix)[\(index + offset)]"
                if channel == .email {
                    let check = ChannelRules.standard(for: .email).check(post.subject ?? "")
                    if let violation = check.violations.first {
                        throw ValidationError(field: "\(field).subject", reason: "for email: \(violation.message)")
                    }
                    continue
                }
                let check = ChannelRules.standard(for: channel).check(post.text)
                if let violation = check.violations.first {
                    throw ValidationError(field: "\(field).text", reason: "for \(channel.rawValue): \(explain(violation, channel: channel))")
                }
            }
        }
    }

    /// Throws the first image rule a variant breaks on `channel` (count, size, format, alt text; SMS takes none),
    /// naming `variants[1].image` (or `.images[2]` when it has several).
    ///
    /// - Parameter publishing: true just before a post goes to a connector: then a channel that needs an image
    ///   (Instagram) refuses a variant without one too (see ``ChannelMediaRules/check(_:publishing:)``).
    public static func checkMedia(
        of variant: Campaign.Variant,
        for channel: Channel,
        field: String,
        publishing: Bool = false
    ) throws(ValidationError) {
        guard let problem = ChannelMediaRules.standard(for: channel).check(variant.media, publishing: publishing).first else { return }
        let list = variant.media.count > 1
        var place = "\(field).\(list ? "images" : "image")"
        if let image = problem.image, list { place += "[\(image)]" }
        if problem.code == .altTooLong { place += ".alt" }
        throw ValidationError(field: place, reason: "for \(channel.rawValue): \(problem.message)")
    }

    private static func explain(_ violation: ConstraintViolation, channel: Channel) -> String {
        guard violation.code == .tooLong else { return violation.message }
        switch channel {
        case .x, .mastodon: return "\(violation.message) (as posted, with the tracking link counted as 23)"
        case .sms: return "\(violation.message), as sent with the tracking link and the opt-out line"
        default: return "\(violation.message), as posted with the tracking link"
        }
    }
}
