import Foundation
import Hummingbird
import Synchronization

/// A local stand-in for a Mastodon instance with one account, for tests, benchmarks and rehearsals (this machine cannot
/// reach a real instance). It serves the endpoints Herald's Mastodon connector uses, as Mastodon's published docs
/// describe them:
///
/// - docs.joinmastodon.org/methods/statuses/ — `POST /api/v1/statuses` (`Authorization: Bearer`, `Idempotency-Key`
///   kept for one hour per account: a repeat answers the first status and posts nothing; `status`, `media_ids[]`,
///   `visibility`; 422 `{"error": "Validation failed: Text character limit of 500 exceeded"}`), `GET /api/v1/statuses/:id`
///   (404 `{"error": "Record not found"}`).
/// - docs.joinmastodon.org/methods/media/ — `POST /api/v2/media` (multipart `file` and `description`; 202 with `url: null`
///   while processing), `GET /api/v1/media/:id` (206 while processing, then 200 with the `url`); a status naming an
///   unknown attachment, or one still processing, is refused with 422.
/// - docs.joinmastodon.org/methods/accounts/ — `GET /api/v1/accounts/verify_credentials`, `GET /api/v1/accounts/:id/statuses`
///   (`limit`, at most 40, newest first).
/// - docs.joinmastodon.org/api/rate-limits/ — `X-RateLimit-Limit`, `-Remaining`, `-Reset` (ISO 8601) on every answer: 300
///   requests per 5 minutes for the API, 300 statuses per 3 hours and 30 uploads per 30 minutes per account (each
///   configurable); over budget: 429 `{"error": "Too many requests"}`.
/// - docs.joinmastodon.org/entities/Error/ — every error is `{"error": "..."}`; a bad token is 401 "The access token is
///   invalid" (revoked: "The access token was revoked").
///
/// Test controls: ``faults`` (per route: `statuses`, `status`, `media`, `mediaStatus`, `verifyCredentials`,
/// `accountStatuses`), ``issueToken()``, ``revoke(token:)``, ``expire(token:)``, ``setCounts(statusID:favourites:reblogs:replies:)``,
/// ``setFollowers(_:)``; inspection: ``statuses``, ``media``, ``requests(to:)``.
public final class MastodonStandIn: Sendable {
    /// How the stand-in instance behaves.
    public struct Configuration: Sendable {
        /// The character limit of a status (Mastodon's default 500; links count 23).
        public var characterLimit: Int
        /// Statuses per ``postingPeriod`` per account (Mastodon: 300 per 3 hours).
        public var postingLimit: Int
        public var postingPeriod: TimeInterval
        /// Media uploads per ``mediaPeriod`` per account (Mastodon: 30 per 30 minutes).
        public var mediaLimit: Int
        public var mediaPeriod: TimeInterval
        /// API requests per ``apiPeriod`` (Mastodon: 300 per 5 minutes).
        public var apiLimit: Int
        public var apiPeriod: TimeInterval
        /// How long an `Idempotency-Key` is kept (Mastodon: up to 1 hour).
        public var idempotencyWindow: TimeInterval
        /// How many `GET /api/v1/media/:id` answer 206 before an upload is processed (0: `POST /api/v2/media` answers 200
        /// at once, as Mastodon 4 does for small images).
        public var mediaProcessingPolls: Int
        /// The account's username (its `acct` on its own instance) and followers.
        public var username: String
        public var followers: Int

        public init(
            characterLimit: Int = 500,
            postingLimit: Int = 300,
            postingPeriod: TimeInterval = 3 * 3600,
            mediaLimit: Int = 30,
            mediaPeriod: TimeInterval = 30 * 60,
            apiLimit: Int = 300,
            apiPeriod: TimeInterval = 5 * 60,
            idempotencyWindow: TimeInterval = 3600,
            mediaProcessingPolls: Int = 1,
            username: String = "herald",
            followers: Int = 0
        ) {
            self.characterLimit = characterLimit
            self.postingLimit = postingLimit
            self.postingPeriod = postingPeriod
            self.mediaLimit = mediaLimit
            self.mediaPeriod = mediaPeriod
            self.apiLimit = apiLimit
            self.apiPeriod = apiPeriod
            self.idempotencyWindow = idempotencyWindow
            self.mediaProcessingPolls = mediaProcessingPolls
            self.username = username
            self.followers = followers
        }
    }

    /// A status stored on the stand-in.
    public struct Status: Sendable, Equatable {
        public var id: String
        /// The text as posted, and its HTML as Mastodon renders it.
        public var text: String
        public var content: String
        public var visibility: String
        public var mediaIDs: [String]
        public var idempotencyKey: String?
        public var createdAt: Date
        public var favourites = 0
        public var reblogs = 0
        public var replies = 0
    }

    /// An uploaded media attachment.
    public struct Media: Sendable, Equatable {
        public var id: String
        public var data: Data
        public var mimeType: String
        public var fileName: String?
        /// The alt text.
        public var description: String?
        /// Whether the full-size file is processed (statuses can attach it).
        public var processed: Bool
        /// The status it is attached to.
        public var statusID: String?
        var pollsLeft: Int
    }

    /// The account's id on the stand-in.
    public static let accountID = "109000000000000001"

    /// Faults to inject per route.
    public let faults = StandInFaults()
    let configuration: Configuration
    let now: @Sendable () -> Date
    let state: Mutex<State>

    struct State: Sendable {
        enum TokenState: Sendable { case active, revoked, expired }
        var tokens: [String: TokenState] = [:]
        var statuses: [Status] = []
        var media: [String: Media] = [:]
        var mediaOrder: [String] = []
        var idempotency: [String: (statusID: String, at: Date)] = [:]
        var api: MastodonRateWindow
        var posting: MastodonRateWindow
        var uploads: MastodonRateWindow
        var requests: [String: Int] = [:]
        var followers: Int
        var nextStatus: UInt64 = 110_000_000_000_000_001
        var nextMedia: UInt64 = 22_348_641
    }

    /// A stand-in instance that knows `tokens` (more with ``issueToken()``).
    public init(configuration: Configuration = Configuration(), tokens: [String] = [], now: @escaping @Sendable () -> Date = { Date() }) {
        self.configuration = configuration
        self.now = now
        var state = State(
            api: MastodonRateWindow(limit: configuration.apiLimit, period: configuration.apiPeriod),
            posting: MastodonRateWindow(limit: configuration.postingLimit, period: configuration.postingPeriod),
            uploads: MastodonRateWindow(limit: configuration.mediaLimit, period: configuration.mediaPeriod),
            followers: configuration.followers
        )
        for token in tokens { state.tokens[token] = .active }
        self.state = Mutex(state)
    }

    /// Issues a new access token for the account (as the OAuth authorization-code flow would).
    public func issueToken() -> String {
        let token = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() + UUID().uuidString.prefix(8).lowercased()
        state.withLock { $0.tokens[token] = .active }
        return token
    }

    /// Revokes `token` (`POST /oauth/revoke`, or the user removing the app): it is answered 401 "The access token was revoked".
    public func revoke(token: String) {
        state.withLock { $0.tokens[token] = .revoked }
    }

    /// Expires `token`. Mastodon's tokens from the authorization-code flow do not expire; this stands for an admin's
    /// expiry, answered 401 "The access token expired" (there is no refresh).
    public func expire(token: String) {
        state.withLock { $0.tokens[token] = .expired }
    }

    /// Sets a status's counts, as if people had favourited, reblogged and replied.
    public func setCounts(statusID: String, favourites: Int, reblogs: Int, replies: Int) {
        state.withLock { state in
            guard let index = state.statuses.firstIndex(where: { $0.id == statusID }) else { return }
            state.statuses[index].favourites = favourites
            state.statuses[index].reblogs = reblogs
            state.statuses[index].replies = replies
        }
    }

    /// Sets the account's followers.
    public func setFollowers(_ followers: Int) {
        state.withLock { $0.followers = followers }
    }

    /// The statuses posted, oldest first.
    public var statuses: [Status] { state.withLock { $0.statuses } }

    /// The media uploaded, oldest first.
    public var media: [Media] { state.withLock { state in state.mediaOrder.compactMap { state.media[$0] } } }

    /// How many requests reached `route` (faulted ones included).
    public func requests(to route: String) -> Int { state.withLock { $0.requests[route] ?? 0 } }

    /// Requests per route.
    public var requestCounts: [String: Int] { state.withLock { $0.requests } }

    /// When the current posting window resets (what a 429 on `POST /api/v1/statuses` says in `X-RateLimit-Reset`).
    public var postingReset: Date { state.withLock { $0.posting.reset(now: now()) } }

    /// The routes of the stand-in instance.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/api/v1/statuses") { request, _ in try await self.postStatus(request) }
        router.get("/api/v1/statuses/:id") { request, context in try await self.getStatus(request, id: context.parameters.get("id") ?? "") }
        router.post("/api/v2/media") { request, _ in try await self.uploadMedia(request) }
        router.get("/api/v1/media/:id") { request, context in try await self.getMedia(request, id: context.parameters.get("id") ?? "") }
        router.get("/api/v1/accounts/verify_credentials") { request, _ in try await self.verifyCredentials(request) }
        router.get("/api/v1/accounts/:id/statuses") { request, context in
            try await self.accountStatuses(request, id: context.parameters.get("id") ?? "")
        }
        return router
    }
}
