import Foundation

/// Tracking-link destinations with UTM parameters.
public enum TrackingLink {
    /// The `utm_medium` for a channel.
    public static func medium(of channel: String) -> String {
        switch channel {
        case "email": "email"
        case "sms": "sms"
        default: "social"
        }
    }

    /// `destination` with `utm_source` (channel), `utm_medium`, `utm_campaign` (campaign slug) and `utm_content` (variant key)
    /// set, replacing any UTM values it had and keeping its other query items and fragment.
    ///
    /// - Returns: nil when `destination` is not an absolute http(s) URL.
    public static func destination(_ destination: String, channel: String, campaign: String, variant: String) -> String? {
        guard var components = URLComponents(string: destination),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            components.host?.isEmpty == false
        else { return nil }
        let utm = [
            URLQueryItem(name: "utm_source", value: channel),
            URLQueryItem(name: "utm_medium", value: medium(of: channel)),
            URLQueryItem(name: "utm_campaign", value: campaign),
            URLQueryItem(name: "utm_content", value: variant),
        ]
        let names = Set(utm.map(\.name))
        components.queryItems = (components.queryItems ?? []).filter { !names.contains($0.name) } + utm
        return components.url?.absoluteString
    }
}

/// Tells automated clients (crawlers, link unfurlers, monitors) from people by their User-Agent.
///
/// Their hits are recorded as bots and left out of analysis, so link previews and scanners
/// do not inflate clicks and pick the wrong winner.
public enum BotFilter {
    /// Lowercased fragments of User-Agent strings that only automated clients send.
    public static let fragments = [
        "bot", "crawler", "spider", "slurp", "facebookexternalhit", "facebot", "embedly", "preview", "linkexpanding",
        "whatsapp", "telegram", "discord", "slack", "skypeuripreview", "vkshare", "pinterest", "bitlybot", "tumblr",
        "curl/", "wget/", "python-requests", "python-urllib", "go-http-client", "java/", "okhttp", "libwww", "httpclient",
        "headlesschrome", "phantomjs", "lighthouse", "pingdom", "uptimerobot", "statuscake", "monitor", "scanner",
        "barracuda", "proofpoint", "mimecast",
    ]

    /// Whether a User-Agent belongs to an automated client; a missing or empty one counts as a bot.
    public static func isBot(userAgent: String?) -> Bool {
        guard let userAgent, !userAgent.trimmingCharacters(in: .whitespaces).isEmpty else { return true }
        let lowered = userAgent.lowercased()
        return fragments.contains { lowered.contains($0) }
    }
}
