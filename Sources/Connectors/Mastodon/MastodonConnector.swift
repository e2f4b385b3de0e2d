import Foundation

/// Publishes to a Mastodon account on its instance through Mastodon's REST API (docs.joinmastodon.org `methods/statuses`,
/// `methods/media`, `methods/accounts`), doing the I/O through ``PlatformHTTP``; the requests are built by
/// ``MastodonRequests`` and failures classified by ``MastodonErrorClassifier``.
///
/// - publish: each image through `POST /api/v2/media` with its alt text as `description` (polling `GET /api/v1/media/:id`
///   while the instance processes it), then `POST /api/v1/statuses` with the publication's `Idempotency-Key`.
/// - lookUp: scans the account's 40 most recent statuses for one linking the post's tracking URL (unique per publication);
///   this holds after Mastodon's one-hour idempotency window too.
/// - engagement: `GET /api/v1/statuses/:id` (favourites, reblogs, replies; Mastodon gives no impressions).
/// - check: `GET /api/v1/accounts/verify_credentials` (id, acct, followers).
///
/// The account's `baseURL` is its instance and `credentials.accessToken` its token (Mastodon's tokens do not expire and
/// have no refresh: a refused token is auth at once). lookUp reads the account's id from `verify_credentials`.
public struct MastodonConnector: ChannelConnector {
    public let kind = AccountKind.mastodon
    let http: PlatformHTTP
    let now: @Sendable () -> Date
    /// How long to wait before each look at an attachment the instance is still processing.
    public var mediaPollInterval: Duration = .seconds(1)
    /// How many looks before giving up on an attachment (transient).
    public var mediaPollLimit = 60
    /// How many recent statuses lookUp scans (Mastodon's maximum page is 40).
    public var lookUpDepth = 40

    public init(http: PlatformHTTP, now: @escaping @Sendable () -> Date = { Date() }) {
        self.http = http
        self.now = now
    }

    /// Uploads the post's images, then posts the status with the idempotency key.
    public func publish(_ post: OutgoingPost, idempotencyKey: String, account: ConnectedAccount) async throws -> PostedPost {
        let requests = try Self.requests(for: account)
        var mediaIDs: [String] = []
        for attachment in post.media {
            mediaIDs.append(try await upload(attachment, requests: requests))
        }
        let response = try await http.send(try requests.postStatus(text: post.text, mediaIDs: mediaIDs, idempotencyKey: idempotencyKey))
        guard response.succeeded else { throw MastodonErrorClassifier.classify(response, now: now()) }
        guard let status = try? response.decode(MastodonEntity.Status.self) else {
            // The instance said yes but its answer is unreadable: the status probably exists, so reconcile before posting again.
            throw ConnectorError(
                .unknownOutcome,
                "Mastodon accepted the status but its answer was unreadable: \(response.text(limit: 200))",
                status: response.status
            )
        }
        return Self.posted(status)
    }

    /// The status of the account's recent ones that links the post's tracking URL, or nil when none does.
    public func lookUp(_ post: OutgoingPost, idempotencyKey: String, account: ConnectedAccount) async throws -> PostedPost? {
        let requests = try Self.requests(for: account)
        // The token's own account, asked each time rather than taken from `handle` (which may hold the `acct`, or be
        // stale): reconciling is rare, and scanning another account's statuses would wrongly say "certainly absent".
        let accountID = try await verifiedAccount(requests).id
        let response = try await http.send(requests.accountStatuses(accountID: accountID, limit: lookUpDepth))
        guard response.succeeded else { throw MastodonErrorClassifier.classify(response, now: now()) }
        guard let statuses = try? response.decode([MastodonEntity.Status].self) else {
            throw ConnectorError(
                .transient,
                "Mastodon's list of recent statuses was unreadable: \(response.text(limit: 200))",
                status: response.status
            )
        }
        return statuses.first { $0.links(to: post.trackingURL) }.map(Self.posted)
    }

    /// The status's favourites, reblogs and replies now.
    public func engagement(of post: PostedPost, account: ConnectedAccount) async throws -> EngagementCounts {
        let requests = try Self.requests(for: account)
        let response = try await http.send(requests.status(id: post.id))
        guard response.succeeded else { throw MastodonErrorClassifier.classify(response, now: now()) }
        guard let status = try? response.decode(MastodonEntity.Status.self) else {
            throw ConnectorError(.transient, "Mastodon's status was unreadable: \(response.text(limit: 200))", status: response.status)
        }
        return EngagementCounts(likes: status.favouritesCount, shares: status.reblogsCount, comments: status.repliesCount, impressions: nil)
    }

    /// The token's account: its id, `acct` and followers.
    public func check(_ account: ConnectedAccount) async throws -> AccountProfile {
        let verified = try await verifiedAccount(try Self.requests(for: account))
        return AccountProfile(id: verified.id, handle: verified.acct, followers: verified.followersCount)
    }

    /// Uploads one image with its alt text and waits until the instance has processed it.
    ///
    /// - Returns: The attachment's id.
    func upload(_ attachment: MediaAttachment, requests: MastodonRequests) async throws -> String {
        let boundary = "herald-\(UUID().uuidString)"
        let response = try await http.send(requests.uploadMedia(attachment, boundary: boundary))
        guard response.succeeded else { throw MastodonErrorClassifier.classify(response, now: now()) }
        guard let uploaded = try? response.decode(MastodonEntity.MediaAttachment.self) else {
            throw ConnectorError(.transient, "Mastodon's media answer was unreadable: \(response.text(limit: 200))", status: response.status)
        }
        // 200 with a url: processed already; 202 (url null): poll until GET answers 200 with a url (206 while processing).
        if response.status == 200, uploaded.url != nil { return uploaded.id }
        for _ in 0..<max(mediaPollLimit, 1) {
            try await Task.sleep(for: mediaPollInterval)
            let poll = try await http.send(requests.media(id: uploaded.id))
            if poll.status == 206 { continue }
            guard poll.succeeded else { throw MastodonErrorClassifier.classify(poll, now: now()) }
            if let processed = try? poll.decode(MastodonEntity.MediaAttachment.self), processed.url != nil { return processed.id }
        }
        throw ConnectorError(.transient, "Mastodon was still processing media \(uploaded.id) after \(mediaPollLimit) looks")
    }

    func verifiedAccount(_ requests: MastodonRequests) async throws -> MastodonEntity.Account {
        let response = try await http.send(requests.verifyCredentials())
        guard response.succeeded else { throw MastodonErrorClassifier.classify(response, now: now()) }
        guard let verified = try? response.decode(MastodonEntity.Account.self) else {
            throw ConnectorError(.transient, "Mastodon's account answer was unreadable: \(response.text(limit: 200))", status: response.status)
        }
        return verified
    }

    /// The account's requests; no token is an auth failure (the account must be reconnected).
    static func requests(for account: ConnectedAccount) throws -> MastodonRequests {
        guard let token = account.credentials.accessToken, !token.isEmpty else {
            throw ConnectorError(.auth, "the Mastodon account \(account.name) has no access token")
        }
        return MastodonRequests(baseURL: account.baseURL, accessToken: token)
    }

    static func posted(_ status: MastodonEntity.Status) -> PostedPost {
        PostedPost(id: status.id, url: status.url ?? status.uri)
    }
}
