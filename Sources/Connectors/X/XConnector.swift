import Foundation

/// Publishes to X through API v2 with the account's OAuth 2.0 user token (refreshed once on a 401, the new tokens stored
/// before use; X rotates the refresh token).
///
/// X has no idempotency key: an unknown outcome is reconciled by reading the account's last 20 posts for the post's
/// tracking link (``lookUp(_:idempotencyKey:account:)``).
public struct XConnector: ChannelConnector {
    public let kind = AccountKind.x
    let http: PlatformHTTP
    let now: @Sendable () -> Date

    public init(http: PlatformHTTP, now: @escaping @Sendable () -> Date = { Date() }) {
        self.http = http
        self.now = now
    }

    func session(_ account: ConnectedAccount) -> OAuthSession {
        let provider = OAuthProvider.forAccount(.x, apiBaseURL: account.baseURL) ?? .x
        return OAuthSession(account: account, client: OAuthClient(http: http, now: now), provider: provider)
    }

    /// Sends through `session` and returns a 2xx answer, or throws its classification.
    func succeed(_ session: OAuthSession, _ build: @Sendable (String) throws -> PlatformRequest) async throws -> PlatformResponse {
        let response = try await session.send(http, build)
        guard response.succeeded else { throw XResponses.classify(response, now: now()) }
        return response
    }

    /// Uploads each image (`POST /2/media/upload`) with its alt text (`POST /2/media/metadata`), then creates the post
    /// (`POST /2/tweets`).
    public func publish(_ post: OutgoingPost, idempotencyKey: String, account: ConnectedAccount) async throws -> PostedPost {
        let session = session(account)
        let base = account.baseURL
        var mediaIDs: [String] = []
        for media in post.media {
            let uploaded = try await succeed(session) { try XRequests.uploadMedia(baseURL: base, token: $0, media: media) }
            let id = try XResponses.createdID(uploaded)
            _ = try await succeed(session) { try XRequests.mediaMetadata(baseURL: base, token: $0, mediaID: id, altText: media.altText) }
            mediaIDs.append(id)
        }
        let ids = mediaIDs
        let created = try await succeed(session) { try XRequests.createTweet(baseURL: base, token: $0, text: post.text, mediaIDs: ids) }
        let id = try XResponses.createdID(created)
        return PostedPost(id: id, url: XRequests.webURL(id: id))
    }

    /// Reads the account's last 20 posts (`GET /2/users/:id/tweets`) for one carrying the post's tracking link.
    public func lookUp(_ post: OutgoingPost, idempotencyKey: String, account: ConnectedAccount) async throws -> PostedPost? {
        let session = session(account)
        let base = account.baseURL
        var userID = account.handle
        if userID == nil || userID?.isEmpty == true {
            userID = try XResponses.profile(try await succeed(session) { XRequests.me(baseURL: base, token: $0) }).id
        }
        let id = userID ?? ""
        let timeline = try await succeed(session) { XRequests.recentTweets(baseURL: base, token: $0, userID: id) }
        return try XResponses.find(trackingURL: post.trackingURL, in: timeline)
    }

    /// `GET /2/tweets/:id?tweet.fields=public_metrics`.
    public func engagement(of post: PostedPost, account: ConnectedAccount) async throws -> EngagementCounts {
        let base = account.baseURL
        return try XResponses.engagement(try await succeed(session(account)) { XRequests.tweet(baseURL: base, token: $0, id: post.id) })
    }

    /// `GET /2/users/me?user.fields=public_metrics`: the user id, username and followers.
    public func check(_ account: ConnectedAccount) async throws -> AccountProfile {
        let base = account.baseURL
        return try XResponses.profile(try await succeed(session(account)) { XRequests.me(baseURL: base, token: $0) })
    }
}
