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
        case .x, .linkedin: UnavailableConnector(kind: kind)
        }
    }
}

/// A kind whose connector is not in this build: every call fails as transient with a clear message, so nothing is
/// marked published and nothing is lost.
struct UnavailableConnector: ChannelConnector {
    let kind: AccountKind

    var error: ConnectorError { ConnectorError(.transient, "this build of Herald has no \(kind.rawValue) connector") }
    func publish(_ post: OutgoingPost, idempotencyKey: String, account: ConnectedAccount) async throws -> PostedPost { throw error }
    func lookUp(_ post: OutgoingPost, idempotencyKey: String, account: ConnectedAccount) async throws -> PostedPost? { throw error }
    func engagement(of post: PostedPost, account: ConnectedAccount) async throws -> EngagementCounts { throw error }
    func check(_ account: ConnectedAccount) async throws -> AccountProfile { throw error }
}
