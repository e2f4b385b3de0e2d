import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// A local stand-in for X API v2, for tests and rehearsals (it is not X).
///
/// Follows the published pages: https://docs.x.com/x-api/posts/create-post (`POST /2/tweets`, 201 `{"data": {"id",
/// "text", "edit_history_tweet_ids"}}`; a repeat of the same text is refused with 403 "You are not allowed to create a
/// Tweet with duplicate content."), https://docs.x.com/x-api/media/upload-media (`POST /2/media/upload` with a base64
/// `media`), https://docs.x.com/x-api/media/create-media-metadata (`POST /2/media/metadata`, alt text),
/// https://docs.x.com/x-api/posts/post-lookup-by-post-id (`GET /2/tweets/:id`, `public_metrics`),
/// https://docs.x.com/x-api/users/user-lookup-me (`GET /2/users/me`), https://docs.x.com/x-api/users/get-posts
/// (`GET /2/users/:id/tweets`, links shortened to t.co with `entities.urls[].expanded_url`),
/// https://docs.x.com/x-api/fundamentals/rate-limits (`x-rate-limit-limit`, `-remaining`, `-reset` in unix seconds
/// on every answer, 429 when spent), https://docs.x.com/x-api/fundamentals/response-codes-and-errors (problem JSON
/// `{"title", "detail", "type", "status"}`), and OAuth 2.0 with PKCE (``OAuthStandIn``; refresh tokens rotate).
public final class XStandIn: Sendable {
    /// A post as the stand-in stored it.
    public struct Tweet: Sendable, Equatable {
        public var id: String
        /// The text as posted (links shortened to t.co).
        public var text: String
        /// The text as sent.
        public var originalText: String
        public var authorID: String
        public var mediaIDs: [String]
        /// Links in the text: (t.co url, expanded url).
        public var urls: [(String, String)]

        public static func == (lhs: Tweet, rhs: Tweet) -> Bool {
            lhs.id == rhs.id && lhs.originalText == rhs.originalText && lhs.mediaIDs == rhs.mediaIDs
        }
    }

    /// An uploaded image.
    public struct Media: Sendable, Equatable {
        public var id: String
        public var mediaType: String
        public var size: Int
        public var altText: String?
    }

    /// Counts the stand-in answers for a post.
    public struct Counts: Sendable, Equatable {
        public var likes, retweets, replies, quotes, impressions: Int

        public init(likes: Int = 0, retweets: Int = 0, replies: Int = 0, quotes: Int = 0, impressions: Int = 0) {
            (self.likes, self.retweets, self.replies, self.quotes, self.impressions) = (likes, retweets, replies, quotes, impressions)
        }
    }

    struct State {
        var tweets: [Tweet] = []
        var media: [String: Media] = [:]
        var counts: [String: Counts] = [:]
        var nextID = 1_860_000_000_000_000_000
        var windows: [String: (remaining: Int, reset: Int)] = [:]
        var requests: [String] = []
    }

    private let state = Mutex(State())
    /// Faults to inject, per route: `tweets`, `media`, `metadata`, `tweet`, `me`, `timeline`, `token`.
    public let faults = StandInFaults()
    /// The OAuth 2.0 authorization server (tokens last 2 hours, refresh tokens rotate).
    public let oauth: OAuthStandIn
    /// The one user every token stands for.
    public let userID: String
    public let username: String
    public let followers: Int
    /// Requests per 15-minute window per route (X: 100 posts per user per 15 minutes on the basic tier).
    public let limit: Int

    public init(userID: String = "1490000000000000001", username: String = "herald_standin", followers: Int = 1_234, limit: Int = 100) {
        self.userID = userID
        self.username = username
        self.followers = followers
        self.limit = limit
        self.oauth = OAuthStandIn(user: userID, rotatesRefreshTokens: true, accessLifetime: 7_200, prefix: "x")
    }

    /// The posts stored, in order.
    public var posts: [Tweet] { state.withLock { $0.tweets } }
    /// The images uploaded, by id.
    public var media: [String: Media] { state.withLock { $0.media } }
    /// Every request received, as `METHOD path` (token requests included), in order.
    public var requests: [String] { state.withLock { $0.requests } }

    /// Sets a post's counts.
    public func setCounts(_ id: String, _ counts: Counts) {
        state.withLock { $0.counts[id] = counts }
    }

    /// Revokes the grant behind `token` (access or refresh).
    public func revoke(token: String) { oauth.revoke(token: token) }
    /// Makes the access token `token` expired.
    public func expire(token: String) { oauth.expire(token: token) }

    /// The stand-in's routes.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/i/oauth2/authorize") { request, _ in self.oauth.authorize(request) }
        router.post("/2/oauth2/token") { request, _ in
            self.record(request)
            return try await OAuthStandIn.withFaults(self.faults, route: "token") { try await self.oauth.token(request) }
        }
        router.post("/2/tweets") { request, _ in
            try await self.authorized(request, route: "tweets") { user, body in try self.createTweet(user: user, body: body) }
        }
        router.post("/2/media/upload") { request, _ in
            try await self.authorized(request, route: "media") { _, body in try self.upload(body) }
        }
        router.post("/2/media/metadata") { request, _ in
            try await self.authorized(request, route: "metadata") { _, body in try self.metadata(body) }
        }
        router.get("/2/tweets/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await self.authorized(request, route: "tweet") { _, _ in self.lookUp(id) }
        }
        router.get("/2/users/me") { request, _ in
            try await self.authorized(request, route: "me") { user, _ in
                (
                    200,
                    [
                        "data": [
                            "id": user, "name": "Herald stand-in", "username": self.username,
                            "public_metrics": [
                                "followers_count": self.followers, "following_count": 12, "tweet_count": self.posts.count, "listed_count": 0,
                            ],
                        ]
                    ]
                )
            }
        }
        router.get("/2/users/:id/tweets") { request, context in
            let id = context.parameters.get("id") ?? ""
            let max = Int(OAuthStandIn.query(of: request)["max_results"] ?? "10") ?? 10
            return try await self.authorized(request, route: "timeline") { _, _ in self.timeline(of: id, max: max) }
        }
        return router
    }

    func record(_ request: Request) {
        state.withLock { $0.requests.append("\(request.method) \(request.uri.path)") }
    }

    /// Checks the bearer token and the rate-limit window, applies faults, runs `work` and answers with its JSON and the
    /// rate-limit headers.
    func authorized(_ request: Request, route: String, _ work: @escaping (String, Data) throws -> (Int, Any)) async throws -> Response {
        record(request)
        var request = request
        let body = Data(try await request.collectBody(upTo: 16 << 20).readableBytesView)
        return try await OAuthStandIn.withFaults(faults, route: route) {
            let (remaining, reset) = window(route)
            let headers = [
                ("x-rate-limit-limit", "\(limit)"), ("x-rate-limit-remaining", "\(max(remaining, 0))"), ("x-rate-limit-reset", "\(reset)"),
            ]
            guard let user = oauth.user(authorization: request.headers[.authorization]) else {
                return OAuthStandIn.reply(401, Self.problem(401, "Unauthorized", "Unauthorized"), headers: headers)
            }
            guard remaining >= 0 else {
                return OAuthStandIn.reply(429, Self.problem(429, "Too Many Requests", "Too Many Requests"), headers: headers)
            }
            do {
                let (status, object) = try work(user, body)
                return OAuthStandIn.reply(status, object, headers: headers)
            } catch let error as XProblem {
                return OAuthStandIn.reply(error.status, Self.problem(error.status, error.title, error.detail, type: error.type), headers: headers)
            }
        }
    }

    /// Uses one request of `route`'s 15-minute window: (remaining after it, reset in unix seconds); -1 when spent.
    func window(_ route: String) -> (Int, Int) {
        let now = Int(Date().timeIntervalSince1970)
        return state.withLock { state in
            var window = state.windows[route] ?? (limit, now + 900)
            if window.reset <= now { window = (limit, now + 900) }
            window.remaining -= 1
            state.windows[route] = window
            return (window.remaining, window.reset)
        }
    }

    static func problem(_ status: Int, _ title: String, _ detail: String, type: String = "about:blank") -> [String: Any] {
        ["title": title, "detail": detail, "type": type, "status": status]
    }

    struct XProblem: Error {
        var status: Int
        var title: String
        var detail: String
        var type = "about:blank"
    }

    func createTweet(user: String, body: Data) throws -> (Int, Any) {
        struct Body: Decodable {
            struct Media: Decodable { var media_ids: [String] }
            var text: String?
            var media: Media?
        }
        guard let request = try? JSONDecoder().decode(Body.self, from: body), let text = request.text, !text.isEmpty || request.media != nil else {
            throw XProblem(
                status: 400,
                title: "Invalid Request",
                detail: "One or more parameters to your request was invalid.",
                type: "https://api.twitter.com/2/problems/invalid-request"
            )
        }
        let (shortened, urls) = Self.shorten(text)
        guard shortened.count <= 280 else {
            throw XProblem(
                status: 400,
                title: "Invalid Request",
                detail: "One or more parameters to your request was invalid. Text is too long.",
                type: "https://api.twitter.com/2/problems/invalid-request"
            )
        }
        return try state.withLock { state in
            for id in request.media?.media_ids ?? [] where state.media[id] == nil {
                throw XProblem(
                    status: 400,
                    title: "Invalid Request",
                    detail: "Your media IDs are invalid.",
                    type: "https://api.twitter.com/2/problems/invalid-request"
                )
            }
            if state.tweets.contains(where: { $0.authorID == user && $0.originalText == text }) {
                throw XProblem(status: 403, title: "Forbidden", detail: "You are not allowed to create a Tweet with duplicate content.")
            }
            state.nextID += 1
            let tweet = Tweet(
                id: String(state.nextID),
                text: shortened,
                originalText: text,
                authorID: user,
                mediaIDs: request.media?.media_ids ?? [],
                urls: urls
            )
            state.tweets.append(tweet)
            return (201, ["data": ["id": tweet.id, "text": tweet.text, "edit_history_tweet_ids": [tweet.id]]])
        }
    }

    func upload(_ body: Data) throws -> (Int, Any) {
        struct Body: Decodable {
            var media: String?
            var media_category: String?
            var media_type: String?
        }
        guard let request = try? JSONDecoder().decode(Body.self, from: body), let encoded = request.media, let bytes = Data(base64Encoded: encoded),
            request.media_category != nil
        else {
            throw XProblem(
                status: 400,
                title: "Invalid Request",
                detail: "media and media_category are required.",
                type: "https://api.twitter.com/2/problems/invalid-request"
            )
        }
        return state.withLock { state in
            state.nextID += 1
            let id = String(state.nextID)
            state.media[id] = Media(id: id, mediaType: request.media_type ?? "image/jpeg", size: bytes.count)
            return (
                200,
                [
                    "data": [
                        "id": id, "media_key": "3_\(id)", "size": bytes.count, "expires_after_secs": 86_400,
                        "processing_info": ["state": "succeeded", "progress_percent": 100],
                    ]
                ]
            )
        }
    }

    func metadata(_ body: Data) throws -> (Int, Any) {
        struct Body: Decodable {
            struct Metadata: Decodable {
                struct AltText: Decodable { var text: String }
                var alt_text: AltText?
            }
            var id: String
            var metadata: Metadata
        }
        guard let request = try? JSONDecoder().decode(Body.self, from: body) else {
            throw XProblem(
                status: 400,
                title: "Invalid Request",
                detail: "id and metadata are required.",
                type: "https://api.twitter.com/2/problems/invalid-request"
            )
        }
        if let text = request.metadata.alt_text?.text, text.count > 1_000 {
            throw XProblem(
                status: 400,
                title: "Invalid Request",
                detail: "alt_text must be at most 1000 characters.",
                type: "https://api.twitter.com/2/problems/invalid-request"
            )
        }
        return try state.withLock { state in
            guard state.media[request.id] != nil else {
                throw XProblem(
                    status: 400,
                    title: "Invalid Request",
                    detail: "Your media ID is invalid.",
                    type: "https://api.twitter.com/2/problems/invalid-request"
                )
            }
            state.media[request.id]?.altText = request.metadata.alt_text?.text
            return (200, ["data": ["id": request.id, "associated_metadata": ["alt_text": ["text": request.metadata.alt_text?.text ?? ""]]]])
        }
    }

    func lookUp(_ id: String) -> (Int, Any) {
        state.withLock { state in
            guard let tweet = state.tweets.first(where: { $0.id == id }) else {
                return (
                    200,
                    [
                        "errors": [
                            [
                                "value": id, "detail": "Could not find tweet with id: [\(id)].", "title": "Not Found Error",
                                "resource_type": "tweet", "parameter": "id", "resource_id": id,
                                "type": "https://api.twitter.com/2/problems/resource-not-found",
                            ]
                        ]
                    ]
                )
            }
            let counts = state.counts[id] ?? Counts()
            return (
                200,
                [
                    "data": [
                        "id": tweet.id, "text": tweet.text, "edit_history_tweet_ids": [tweet.id],
                        "public_metrics": [
                            "retweet_count": counts.retweets, "reply_count": counts.replies, "like_count": counts.likes,
                            "quote_count": counts.quotes, "bookmark_count": 0, "impression_count": counts.impressions,
                        ],
                    ]
                ]
            )
        }
    }

    func timeline(of user: String, max: Int) -> (Int, Any) {
        state.withLock { state in
            let recent = state.tweets.filter { $0.authorID == user }.suffix(Swift.max(5, Swift.min(max, 100))).reversed()
            guard !recent.isEmpty else { return (200, ["meta": ["result_count": 0]]) }
            let data: [[String: Any]] = recent.map { tweet in
                var item: [String: Any] = ["id": tweet.id, "text": tweet.text, "edit_history_tweet_ids": [tweet.id]]
                if !tweet.urls.isEmpty {
                    item["entities"] = [
                        "urls": tweet.urls.map {
                            [
                                "url": $0.0, "expanded_url": $0.1,
                                "display_url": String($0.1.split(separator: "/").dropFirst().joined(separator: "/").prefix(26)),
                            ]
                        }
                    ]
                }
                return item
            }
            return (
                200, ["data": data, "meta": ["result_count": data.count, "newest_id": recent.first?.id ?? "", "oldest_id": recent.last?.id ?? ""]]
            )
        }
    }

    /// Replaces each link with a 23-character t.co link, as X does.
    static func shorten(_ text: String) -> (String, [(String, String)]) {
        var urls: [(String, String)] = []
        let words = text.split(separator: " ", omittingEmptySubsequences: false).map { word -> String in
            guard word.hasPrefix("http://") || word.hasPrefix("https://") else { return String(word) }
            let short =
                "https://t.co/"
                + String(String(word).utf8.reduce(UInt64(1_469_598_103_934_665_603)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }, radix: 36).prefix(10)
            urls.append((short, String(word)))
            return short
        }
        return (words.joined(separator: " "), urls)
    }
}
