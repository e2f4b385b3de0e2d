import Foundation

/// Tracking links and pixels: their codes, their URLs, and the destinations they redirect to with UTM parameters.
public enum TrackingLink {
    /// The letters of a tracking code: no 0/O, 1/l/I, so a code read aloud or typed is not mistaken.
    static let alphabet = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")

    /// How many letters a code has (about 93 bits).
    public static let codeLength = 16

    /// A new random tracking code.
    public static func newCode() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<codeLength).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }

    /// The click link of a code: `<base>/r/<code>` (`base` without a trailing slash).
    public static func clickURL(base: String, code: String) -> String { "\(trimmed(base))/r/\(code)" }

    /// The open pixel of a code: `<base>/p/<code>.gif`.
    public static func pixelURL(base: String, code: String) -> String { "\(trimmed(base))/p/\(code).gif" }

    private static func trimmed(_ base: String) -> String {
        var base = base
        while base.hasSuffix("/") { base.removeLast() }
        return base
    }

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
        guard let userAgent else { return true }
        // On every click and pixel: compared as ASCII-lower-cased bytes (the fragments are ASCII), not through
        // Foundation's string search, which took a fifth of a tracking server's time.
        let lowered = userAgent.utf8.map { $0 >= 65 && $0 <= 90 ? $0 | 0x20 : $0 }
        guard lowered.contains(where: { $0 != 32 && $0 != 9 }) else { return true }
        return fragmentBytes.contains { fragment in contains(fragment, in: lowered) }
    }

    private static let fragmentBytes = fragments.map { Array($0.utf8) }

    private static func contains(_ needle: [UInt8], in haystack: [UInt8]) -> Bool {
        guard let first = needle.first, haystack.count >= needle.count else { return false }
        var start = 0
        let last = haystack.count - needle.count
        while start <= last {
            if haystack[start] == first {
                var matched = 1
                while matched < needle.count, haystack[start + matched] == needle[matched] { matched += 1 }
                if matched == needle.count { return true }
            }
            start += 1
        }
        return false
    }
}
