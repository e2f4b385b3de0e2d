import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// A local stand-in for LinkedIn's versioned REST API as a member uses it, for tests and rehearsals (it is not LinkedIn).
///
/// Follows the published pages: https://learn.microsoft.com/linkedin/marketing/community-management/shares/posts-api
/// (`POST /rest/posts` answered 201 with the post's URN in `x-restli-id`; `GET /rest/posts?author=…&q=author`),
/// .../shares/images-api (`POST /rest/images?action=initializeUpload` → `uploadUrl` and `urn:li:image:…`; `PUT` the
/// bytes), .../shares/network-update-social-actions (`GET /rest/socialActions/{urn}`: `likesSummary`,
/// `commentsSummary`), https://learn.microsoft.com/linkedin/consumer/integrations/self-serve/sign-in-with-linkedin-v2
/// (`GET /v2/userinfo`), https://learn.microsoft.com/linkedin/marketing/versioning (every `/rest` call needs
/// `LinkedIn-Version: YYYYMM`: missing → 400 `VERSION_MISSING`, not served → 426 `NONEXISTENT_VERSION` "Requested
/// version … is not active"), https://learn.microsoft.com/linkedin/shared/api-guide/concepts/error-handling (errors
/// `{"status", "serviceErrorCode", "code", "message"}`; 401 `EXPIRED_ACCESS_TOKEN`/`REVOKED_ACCESS_TOKEN`),
/// https://learn.microsoft.com/linkedin/shared/api-guide/concepts/rate-limits (daily limits; a 429 carries no reset
/// header), and 3-legged OAuth 2.0 (``OAuthStandIn``; refresh tokens are not rotated, access tokens last 60 days).
public final class LinkedInStandIn: Sendable {
    /// A post as the stand-in stored it.
    public struct Post: Sendable, Equatable {
        /// `urn:li:share:…`.
        public var urn: String
        public var author: String
        /// The commentary as sent (little text, reserved characters escaped).
        public var commentary: String
        public var visibility: String
        public var lifecycleState: String
        /// The image URN and its alt text, when the post has one.
        public var image: String?
        public var altText: String?
        /// The `LinkedIn-Version` it was made with.
        public var version: String
        public var restliProtocolVersion: String?
    }

    /// An image upload.
    public struct Image: Sendable, Equatable {
        public var urn: String
        public var owner: String
        /// Bytes received by the upload URL (nil until the PUT).
        public var size: Int?
        public var mediaType: String?
    }

    struct State {
        var posts: [Post] = []
        var images: [String: Image] = [:]
        var likes: [String: (likes: Int, comments: Int)] = [:]
        var serial = 7_250_000_000_000_000_000
        var postsToday = 0
        var requests: [String] = []
    }

    private let state = Mutex(State())
    /// Faults to inject, per route: `posts`, `images`, `upload`, `socialActions`, `userinfo`, `listPosts`, `token`.
    public let faults = StandInFaults()
    /// The OAuth 2.0 authorization server (no refresh-token rotation).
    public let oauth: OAuthStandIn
    /// The member every token stands for (`sub` of `/v2/userinfo`).
    public let sub: String
    public let name: String
    /// The `LinkedIn-Version` values served.
    public let activeVersions: Set<String>
    /// Posts a member may create per day before 429.
    public let dailyPostLimit: Int

    /// - Parameter activeVersions: The versions served; by default the twelve months up to this one (LinkedIn serves a
    ///   version for about a year).
    public init(sub: String = "yrZCpj2Z12", name: String = "Herald Stand-in", activeVersions: Set<String>? = nil, dailyPostLimit: Int = 150) {
        self.sub = sub
        self.name = name
        self.activeVersions = activeVersions ?? Self.lastTwelveMonths(Date())
        self.dailyPostLimit = dailyPostLimit
        self.oauth = OAuthStandIn(
            user: "urn:li:person:\(sub)",
            rotatesRefreshTokens: false,
            accessLifetime: 5_184_000,
            prefix: "li",
            invalidRefreshDescription: "The provided authorization grant or refresh token is invalid, expired or revoked."
        )
    }

    /// The member's URN.
    public var personURN: String { "urn:li:person:\(sub)" }
    /// The posts stored, in order.
    public var posts: [Post] { state.withLock { $0.posts } }
    /// The image uploads, by URN.
    public var images: [String: Image] { state.withLock { $0.images } }
    /// Every request received, as `METHOD path` (token requests included), in order.
    public var requests: [String] { state.withLock { $0.requests } }

    /// Sets a post's likes and comments.
    public func setCounts(_ urn: String, likes: Int, comments: Int) {
        state.withLock { $0.likes[urn] = (likes, comments) }
    }

    /// Revokes the grant behind `token` (access or refresh).
    public func revoke(token: String) { oauth.revoke(token: token) }
    /// Makes the access token `token` expired.
    public func expire(token: String) { oauth.expire(token: token) }

    static func lastTwelveMonths(_ now: Date) -> Set<String> {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        return Set(
            (0..<12).compactMap { back in
                calendar.date(byAdding: .month, value: -back, to: now).map { date in
                    let parts = calendar.dateComponents([.year, .month], from: date)
                    return String(format: "%04d%02d", parts.year ?? 0, parts.month ?? 0)
                }
            }
        )
    }

    /// The stand-in's routes.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/oauth/v2/authorization") { request, _ in self.oauth.authorize(request) }
        router.post("/oauth/v2/accessToken") { request, _ in
            self.record(request)
            return try await OAuthStandIn.withFaults(self.faults, route: "token") { try await self.oauth.token(request) }
        }
        router.post("/rest/posts") { request, _ in
            try await self.handle(request, route: "posts") { user, body, headers in try self.createPost(user: user, body: body, headers: headers) }
        }
        router.get("/rest/posts") { request, _ in
            let query = OAuthStandIn.query(of: request)
            return try await self.handle(request, route: "listPosts") { user, _, _ in try self.listPosts(user: user, query: query) }
        }
        router.post("/rest/images") { request, _ in
            let query = OAuthStandIn.query(of: request)
            let authority = request.head.authority ?? "127.0.0.1"
            return try await self.handle(request, route: "images") { user, body, _ in
                try self.initializeUpload(user: user, action: query["action"], body: body, authority: authority)
            }
        }
        router.put("/upload/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            let type = request.headers[.contentType]
            return try await self.handle(request, route: "upload", versioned: false) { _, body, _ in try self.upload(id: id, body: body, type: type) }
        }
        router.get("/rest/socialActions/:urn") { request, context in
            let urn = (context.parameters.get("urn") ?? "").removingPercentEncoding ?? ""
            return try await self.handle(request, route: "socialActions") { _, _, _ in try self.socialActions(urn) }
        }
        router.get("/v2/userinfo") { request, _ in
            try await self.handle(request, route: "userinfo", versioned: false) { _, _, _ in
                (
                    200,
                    [
                        "sub": self.sub, "name": self.name, "given_name": "Herald", "family_name": "Stand-in",
                        "locale": ["country": "US", "language": "en"],
                    ], []
                )
            }
        }
        return router
    }

    func record(_ request: Request) {
        state.withLock { $0.requests.append("\(request.method) \(request.uri.path)") }
    }

    /// A LinkedIn error body.
    static func error(_ status: Int, _ code: String, _ message: String, service: Int? = nil) -> LinkedInError {
        LinkedInError(status: status, code: code, message: message, service: service)
    }

    struct LinkedInError: Error {
        var status: Int
        var code: String
        var message: String
        var service: Int?

        var body: [String: Any] {
            var body: [String: Any] = ["status": status, "code": code, "message": message]
            if let service { body["serviceErrorCode"] = service }
            return body
        }
    }

    /// Applies faults, checks the version header (for `/rest`) and the bearer token, then runs `work`.
    func handle(
        _ request: Request,
        route: String,
        versioned: Bool = true,
        _ work: @escaping (String, Data, HTTPFields) throws -> (Int, Any?, [(String, String)])
    ) async throws -> Response {
        record(request)
        var request = request
        let body = Data(try await request.collectBody(upTo: 16 << 20).readableBytesView)
        let headers = request.headers
        return try await OAuthStandIn.withFaults(faults, route: route) {
            do {
                if versioned {
                    guard let version = headers[HTTPField.Name("LinkedIn-Version")!], !version.isEmpty else {
                        throw Self.error(
                            400,
                            "VERSION_MISSING",
                            "A version must be present. Please specify a version by adding the LinkedIn-Version header."
                        )
                    }
                    guard activeVersions.contains(version) else {
                        throw Self.error(426, "NONEXISTENT_VERSION", "Requested version \(version) is not active")
                    }
                }
                let user: String
                switch oauth.check(authorization: headers[.authorization]) {
                case .success(let found): user = found
                case .failure(.expired): throw Self.error(401, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired", service: 65601)
                case .failure(.revoked):
                    throw Self.error(401, "REVOKED_ACCESS_TOKEN", "The token used in the request has been revoked by the user", service: 65602)
                case .failure: throw Self.error(401, "INVALID_ACCESS_TOKEN", "Invalid access token", service: 65600)
                }
                let (status, object, extra) = try work(user, body, headers)
                guard let object else {
                    var fields = HTTPFields()
                    for (name, value) in extra { if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) } }
                    return Response(status: .init(code: status), headers: fields)
                }
                return OAuthStandIn.reply(status, object, headers: extra)
            } catch let error as LinkedInError {
                return OAuthStandIn.reply(error.status, error.body)
            }
        }
    }

    func createPost(user: String, body: Data, headers: HTTPFields) throws -> (Int, Any?, [(String, String)]) {
        struct Body: Decodable {
            struct Content: Decodable {
                struct Media: Decodable {
                    var id: String
                    var altText: String?
                }
                var media: Media?
            }
            var author: String
            var commentary: String?
            var visibility: String
            var distribution: [String: AnyJSON]?
            var lifecycleState: String
            var content: Content?
        }
        guard let post = try? JSONDecoder().decode(Body.self, from: body), post.distribution != nil else {
            throw Self.error(422, "UNPROCESSABLE_ENTITY", "ERROR :: /distribution :: field is required but not found and has no default value")
        }
        guard post.author == user else {
            throw Self.error(
                403,
                "ACCESS_DENIED",
                "Not enough permissions to access: partnerApiPostsExternal.CREATE.\(headers[HTTPField.Name("LinkedIn-Version")!] ?? "")",
                service: 100
            )
        }
        let commentary = post.commentary ?? ""
        guard commentary.count <= 3_000 else {
            throw Self.error(422, "UNPROCESSABLE_ENTITY", "ERROR :: /commentary :: length of commentary exceeds the maximum of 3000 characters")
        }
        return try state.withLock { state in
            if let image = post.content?.media?.id, state.images[image]?.size == nil {
                throw Self.error(422, "UNPROCESSABLE_ENTITY", "ERROR :: /content/media/id :: \(image) is not an uploaded image")
            }
            if let first = state.posts.first(where: { $0.author == user && $0.commentary == commentary && !commentary.isEmpty }) {
                throw Self.error(422, "DUPLICATE_POST", "Content is a duplicate of \(first.urn)")
            }
            guard state.postsToday < dailyPostLimit else {
                throw Self.error(
                    429,
                    "TOO_MANY_REQUESTS",
                    "Resource level throttle MEMBER DAY limit for calls to this resource is reached.",
                    service: 101
                )
            }
            state.postsToday += 1
            state.serial += 1
            let urn = "urn:li:share:\(state.serial)"
            state.posts.append(
                Post(
                    urn: urn,
                    author: user,
                    commentary: commentary,
                    visibility: post.visibility,
                    lifecycleState: post.lifecycleState,
                    image: post.content?.media?.id,
                    altText: post.content?.media?.altText,
                    version: headers[HTTPField.Name("LinkedIn-Version")!] ?? "",
                    restliProtocolVersion: headers[HTTPField.Name("X-Restli-Protocol-Version")!]
                )
            )
            return (201, nil, [("x-restli-id", urn)])
        }
    }

    func listPosts(user: String, query: [String: String]) throws -> (Int, Any?, [(String, String)]) {
        guard query["q"] == "author", let author = query["author"] else {
            throw Self.error(400, "ILLEGAL_ARGUMENT", "q=author and author are required")
        }
        guard author == user else {
            throw Self.error(403, "ACCESS_DENIED", "Not enough permissions to access: partnerApiPostsExternal.FINDER-author", service: 100)
        }
        let count = min(Int(query["count"] ?? "10") ?? 10, 100)
        let elements: [[String: Any]] = state.withLock { state in
            state.posts.filter { $0.author == author }.suffix(count).reversed().map { post in
                var element: [String: Any] = [
                    "id": post.urn, "author": post.author, "commentary": post.commentary, "visibility": post.visibility,
                    "lifecycleState": post.lifecycleState, "isReshareDisabledByAuthor": false,
                    "distribution": ["feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []],
                ]
                if let image = post.image { element["content"] = ["media": ["id": image, "altText": post.altText ?? ""]] }
                return element
            }
        }
        return (200, ["elements": elements, "paging": ["start": 0, "count": count, "links": []]], [])
    }

    func initializeUpload(user: String, action: String?, body: Data, authority: String) throws -> (Int, Any?, [(String, String)]) {
        struct Body: Decodable {
            struct Request: Decodable { var owner: String }
            var initializeUploadRequest: Request
        }
        guard action == "initializeUpload", let request = try? JSONDecoder().decode(Body.self, from: body) else {
            throw Self.error(400, "ILLEGAL_ARGUMENT", "action=initializeUpload with initializeUploadRequest.owner is required")
        }
        guard request.initializeUploadRequest.owner == user else {
            throw Self.error(403, "ACCESS_DENIED", "Not enough permissions to access: images.ACTION.initializeUpload", service: 100)
        }
        return state.withLock { state in
            state.serial += 1
            let id = "D4E10AQ\(state.serial)"
            let urn = "urn:li:image:\(id)"
            state.images[urn] = Image(urn: urn, owner: user)
            let expires = Int(Date().addingTimeInterval(86_400).timeIntervalSince1970 * 1_000)
            return (200, ["value": ["uploadUrlExpiresAt": expires, "uploadUrl": "http://\(authority)/upload/\(id)", "image": urn]], [])
        }
    }

    func upload(id: String, body: Data, type: String?) throws -> (Int, Any?, [(String, String)]) {
        try state.withLock { state in
            let urn = "urn:li:image:\(id)"
            guard state.images[urn] != nil else { throw Self.error(404, "NOT_FOUND", "No upload for \(urn)") }
            state.images[urn]?.size = body.count
            state.images[urn]?.mediaType = type
            return (201, nil, [])
        }
    }

    func socialActions(_ urn: String) throws -> (Int, Any?, [(String, String)]) {
        try state.withLock { state in
            guard state.posts.contains(where: { $0.urn == urn }) else { throw Self.error(404, "NOT_FOUND", "Not Found: \(urn)") }
            let counts = state.likes[urn] ?? (0, 0)
            return (
                200,
                [
                    "target": urn,
                    "likesSummary": [
                        "totalLikes": counts.likes, "aggregatedTotalLikes": counts.likes, "likedByCurrentUser": false, "selectedLikes": [],
                    ],
                    "commentsSummary": [
                        "aggregatedTotalComments": counts.comments, "totalFirstLevelComments": counts.comments, "selectedComments": [],
                    ],
                ], []
            )
        }
    }
}

extension LinkedInStandIn {
    /// Any JSON value (to check a field is present without caring about its shape).
    struct AnyJSON: Decodable {
        init(from decoder: any Decoder) throws {}
    }
}
