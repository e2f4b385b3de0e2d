import Foundation

/// Publishes to any HTTP endpoint (Slack and Zapier, Make or n8n hooks, a service of the workspace's own): a signed
/// JSON body with an `Idempotency-Key` (see ``WebhookPost``). The account's base URL is the endpoint; its credentials'
/// `signingSecret` signs the body.
///
/// Webhooks cannot be queried, so an unknown outcome is settled by sending again with the same key
/// (``Reconciliation/resendWithKey``): receivers must keep the first delivery of a key. Webhooks report no engagement.
public struct WebhookConnector: ChannelConnector {
    let http: PlatformHTTP
    let now: @Sendable () -> Date

    public init(http: PlatformHTTP, now: @escaping @Sendable () -> Date = { Date() }) {
        self.http = http
        self.now = now
    }

    public var kind: AccountKind { .webhook }
    public var reconciliation: Reconciliation { .resendWithKey }

    public func publish(_ post: OutgoingPost, idempotencyKey: String, account: ConnectedAccount) async throws -> PostedPost {
        let time = now()
        let request = try WebhookPost.request(
            post,
            idempotencyKey: idempotencyKey,
            url: account.baseURL,
            secret: account.credentials.signingSecret,
            timestamp: Int(time.timeIntervalSince1970)
        )
        let response = try await http.send(request)
        guard response.succeeded else { throw WebhookPost.classify(response, now: time) }
        return WebhookPost.posted(response)
    }

    /// Never called: a webhook is reconciled by sending again with the same key.
    public func lookUp(_ post: OutgoingPost, idempotencyKey: String, account: ConnectedAccount) async throws -> PostedPost? {
        throw ConnectorError(.unknownOutcome, "a webhook cannot be looked up; it is sent again with the same Idempotency-Key")
    }

    public func engagement(of post: PostedPost, account: ConnectedAccount) async throws -> EngagementCounts {
        throw ConnectorError(.rejectedContent, "webhooks report no engagement")
    }

    /// Sends a signed ping; the endpoint must answer 2xx.
    public func check(_ account: ConnectedAccount) async throws -> AccountProfile {
        let time = now()
        let response = try await http.send(
            try WebhookPost.ping(url: account.baseURL, secret: account.credentials.signingSecret, timestamp: Int(time.timeIntervalSince1970))
        )
        guard response.succeeded else { throw WebhookPost.classify(response, now: time) }
        return AccountProfile(id: account.baseURL, handle: URL(string: account.baseURL)?.host ?? account.baseURL)
    }
}
