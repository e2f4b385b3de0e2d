import Foundation

/// Publishes to LinkedIn as a member through the versioned REST API (`LinkedIn-Version` pinned in
/// ``LinkedInRequests/version``) with the account's OAuth 2.0 token (refreshed once on a 401, the new credentials
/// stored before use; LinkedIn keeps the same refresh token).
///
/// The account's ``ConnectedAccount/handle`` is the author URN (`urn:li:person:…`); when absent it is read from
/// `/v2/userinfo`. LinkedIn has no idempotency key: an unknown outcome is reconciled by reading the author's last 20
/// posts for the post's tracking link.
public struct LinkedInConnector: ChannelConnector {
    public let kind = AccountKind.linkedin
    let http: PlatformHTTP
    let now: @Sendable () -> Date

    public init(http: PlatformHTTP, now: @escaping @Sendable () -> Date = { Date() }) {
        self.http = http
        self.now = now
    }

    func session(_ account: ConnectedAccount) -> OAuthSession {
        let provider = OAuthProvider.forAccount(.linkedin, apiBaseURL: account.baseURL) ?? .linkedIn
        return OAuthSession(account: account, client: OAuthClient(http: http, now: now), provider: provider)
    }

    func succeed(_ session: OAuthSession, _ build: @Sendable (String) throws -> PlatformRequest) async throws -> PlatformResponse {
        let response = try await session.send(http, build)
        guard response.succeeded else { throw LinkedInResponses.classify(response, now: now()) }
        return response
    }

    func author(_ account: ConnectedAccount, _ session: OAuthSession) async throws -> String {
        if let handle = account.handle, handle.hasPrefix("urn:li:") { return handle }
        let base = account.baseURL
        return try LinkedInResponses.profile(try await succeed(session) { LinkedInRequests.userInfo(baseURL: base, token: $0) }).id
    }

    /// Uploads the image (initializeUpload, then PUT to the upload URL) and creates the post (`POST /rest/posts`). A
    /// LinkedIn post carries one image here: a second one would need a multi-image post, which Herald does not make.
    public func publish(_ post: OutgoingPost, idempotencyKey: String, account: ConnectedAccount) async throws -> PostedPost {
        let session = session(account)
        let base = account.baseURL
        let author = try await author(account, session)
        var image: LinkedInRequests.Image?
        if let media = post.media.first {
            let initialized = try await succeed(session) { try LinkedInRequests.initializeImageUpload(baseURL: base, token: $0, owner: author) }
            let (uploadURL, urn) = try LinkedInResponses.initializedUpload(initialized)
            _ = try await succeed(session) { LinkedInRequests.uploadImage(uploadURL: uploadURL, token: $0, media: media) }
            image = LinkedInRequests.Image(urn: urn, altText: media.altText)
        }
        let attached = image
        let created = try await succeed(session) {
            try LinkedInRequests.createPost(baseURL: base, token: $0, author: author, text: post.text, image: attached)
        }
        let urn = try LinkedInResponses.createdURN(created)
        return PostedPost(id: urn, url: LinkedInRequests.webURL(urn: urn))
    }

    /// Reads the author's last 20 posts (`GET /rest/posts?q=author`) for one whose commentary carries the tracking link.
    public func lookUp(_ post: OutgoingPost, idempotencyKey: String, account: ConnectedAccount) async throws -> PostedPost? {
        let session = session(account)
        let base = account.baseURL
        let author = try await author(account, session)
        let posts = try await succeed(session) { LinkedInRequests.recentPosts(baseURL: base, token: $0, author: author) }
        return try LinkedInResponses.find(trackingURL: post.trackingURL, in: posts)
    }

    /// `GET /rest/socialActions/{urn}`: likes and comments.
    public func engagement(of post: PostedPost, account: ConnectedAccount) async throws -> EngagementCounts {
        let base = account.baseURL
        return try LinkedInResponses.engagement(
            try await succeed(session(account)) { LinkedInRequests.socialActions(baseURL: base, token: $0, urn: post.id) }
        )
    }

    /// `GET /v2/userinfo`: the member's URN and name (LinkedIn gives a member's follower count to no standard scope).
    public func check(_ account: ConnectedAccount) async throws -> AccountProfile {
        let base = account.baseURL
        return try LinkedInResponses.profile(try await succeed(session(account)) { LinkedInRequests.userInfo(baseURL: base, token: $0) })
    }
}
