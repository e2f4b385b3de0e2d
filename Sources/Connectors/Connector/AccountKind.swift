import HeraldCore

/// The kinds of account Herald publishes to through a connector.
public enum AccountKind: String, CaseIterable, Codable, Sendable {
    case mastodon, bluesky, x, linkedin, webhook

    /// The channel a post to this kind of account goes out on.
    public var channel: Channel {
        switch self {
        case .mastodon: .mastodon
        case .bluesky: .bluesky
        case .x: .x
        case .linkedin: .linkedin
        case .webhook: .webhook
        }
    }

    /// The kind of account a channel publishes through; nil for channels without a connector (yet).
    public init?(channel: Channel) {
        self.init(rawValue: channel.rawValue)
    }

    /// Every kind's name, for help texts and errors.
    public static let names = allCases.map(\.rawValue).joined(separator: ", ")

    /// Whether the platform gives impressions for a post: X does (`public_metrics.impression_count`); LinkedIn gives
    /// member posts' impressions only to apps with a restricted permission, and Mastodon, Bluesky and webhooks give none.
    public var reportsImpressions: Bool { self == .x }
}

extension AccountKind {
    /// Whether the platform reports a post's engagement (likes, shares, replies); webhooks do not.
    public var reportsEngagement: Bool { self != .webhook }
}
