import Foundation

/// The connector of each kind of account: the one place that knows which type speaks to which platform.
public struct ConnectorRegistry: Sendable {
    let http: PlatformHTTP
    let now: @Sendable () -> Date

    public init(http: PlatformHTTP = PlatformHTTP(), now: @escaping @Sendable () -> Date = { Date() }) {
        self.http = http
        self.now = now
    }

    /// The connector for accounts of `kind`.
    public func connector(for kind: AccountKind) -> any ChannelConnector {
        switch kind {
        case .webhook: WebhookConnector(http: http, now: now)
        case .mastodon: MastodonConnector(http: http, now: now)
        case .bluesky: BlueskyConnector(http: http, now: now)
        case .x: XConnector(http: http, now: now)
        case .linkedin: LinkedInConnector(http: http, now: now)
        }
    }
}
