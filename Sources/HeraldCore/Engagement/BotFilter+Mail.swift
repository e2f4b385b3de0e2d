import Foundation

extension BotFilter {
    /// Lowercased fragments of the User-Agents of mail-privacy proxies that fetch every image of a message when it is
    /// delivered or first shown (Google's image proxy, Yahoo's), whether or not a person opens it.
    public static let mailProxyFragments = ["googleimageproxy", "ggpht.com", "yahoomailproxy", "ymailproxy", "mail.ru_bot"]

    /// Apple Mail Privacy Protection fetches remote content through Apple's relays with this User-Agent and nothing else.
    public static let applePrivacyProxyUserAgent = "Mozilla/5.0"

    /// How soon after a message was accepted a hit is a scanner's, not a person's: security gateways follow every link
    /// and load every image on delivery.
    public static let scannerWindow: TimeInterval = 10

    /// Whether a User-Agent is a mail-privacy proxy's (Apple Mail Privacy Protection, Google's and Yahoo's image proxies).
    public static func isMailProxy(userAgent: String?) -> Bool {
        guard let userAgent else { return false }
        if userAgent.trimmingCharacters(in: .whitespaces) == applePrivacyProxyUserAgent { return true }
        let lowered = userAgent.lowercased()
        return mailProxyFragments.contains { lowered.contains($0) }
    }

    /// Whether an open or click of an audience message was made by software rather than a person: a bot's User-Agent,
    /// a mail-privacy proxy, or a hit within ``scannerWindow`` of the message's delivery. Such hits are stored marked as
    /// bots and left out of the rates, as bots' clicks are.
    ///
    /// - Parameters:
    ///   - sentAt: When the server accepted the message (nil: not known, the timing rule does not apply).
    ///   - time: When the hit came.
    public static func isAutomated(userAgent: String?, sentAt: Date?, at time: Date) -> Bool {
        if isBot(userAgent: userAgent) || isMailProxy(userAgent: userAgent) { return true }
        if let sentAt, time.timeIntervalSince(sentAt) < scannerWindow { return true }
        return false
    }
}
