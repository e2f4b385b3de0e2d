import AsyncHTTPClient
import Connectors
import Foundation
import HeraldCore
import PlatformStandIns
import Synchronization
import Testing

/// Credentials a test account saved (what the account store would persist).
final class SavedCredentials: Sendable {
    private let saved = Mutex<[Credentials]>([])

    var all: [Credentials] { saved.withLock { $0 } }

    func save(_ credentials: Credentials) {
        saved.withLock { $0.append(credentials) }
    }
}

@Suite("X connector against the X stand-in")
struct XConnectorTests {
    let http = PlatformHTTP(timeout: .seconds(30))

    /// Runs `body` with a stand-in, the connector, a connected account (tokens issued by the stand-in) and its saved credentials.
    func withX(
        _ body: (XStandIn, XConnector, ConnectedAccount, SavedCredentials) async throws -> Void
    ) async throws {
        let standIn = XStandIn()
        try await StandInServer.run(standIn.router()) { baseURL in
            let tokens = standIn.oauth.issue(clientID: "herald-client")
            let saved = SavedCredentials()
            let account = ConnectedAccount(
                name: "brand",
                kind: .x,
                baseURL: baseURL,
                handle: standIn.userID,
                credentials: Credentials(
                    accessToken: tokens.accessToken,
                    refreshToken: tokens.refreshToken,
                    expiresAt: Date().addingTimeInterval(7_200),
                    clientID: "herald-client",
                    clientSecret: "herald-secret"
                ),
                saveCredentials: { saved.save($0) }
            )
            try await body(standIn, XConnector(http: http), account, saved)
        }
    }

    func post(
        _ text: String = "Trail season is here.",
        tracking: String = "https://herald.example/r/abc123",
        media: [MediaAttachment] = []
    ) -> OutgoingPost {
        OutgoingPost(publication: UUID(), channel: .x, text: "\(text) \(tracking)", trackingURL: tracking, media: media)
    }

    @Test("publish creates one post and returns its id and URL")
    func publish() async throws {
        try await withX { standIn, connector, account, saved in
            let posted = try await connector.publish(post(), idempotencyKey: "k1", account: account)
            #expect(standIn.posts.map(\.id) == [posted.id])
            #expect(standIn.posts.first?.originalText == "Trail season is here. https://herald.example/r/abc123")
            #expect(posted.url == "https://x.com/i/web/status/\(posted.id)")
            #expect(saved.all.isEmpty)
        }
    }

    @Test("429 carries the reset of x-rate-limit-reset")
    func rateLimited() async throws {
        try await withX { standIn, connector, account, _ in
            let reset = Int(Date().timeIntervalSince1970) + 600
            standIn.faults.inject(
                .answer(
                    status: 429,
                    headers: ["x-rate-limit-limit": "100", "x-rate-limit-remaining": "0", "x-rate-limit-reset": "\(reset)"],
                    body: #"{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}"#
                ),
                into: "tweets"
            )
            let error = try await #require(throws: ConnectorError.self) { try await connector.publish(post(), idempotencyKey: "k", account: account) }
            #expect(error.kind == .rateLimited)
            #expect(error.retryAt == Date(timeIntervalSince1970: TimeInterval(reset)))
            #expect(standIn.posts.isEmpty)
        }
    }

    @Test("the stand-in's own window: spent requests answer 429 with a reset")
    func windowSpent() async throws {
        let standIn = XStandIn(limit: 1)
        try await StandInServer.run(standIn.router()) { baseURL in
            let tokens = standIn.oauth.issue(clientID: "c")
            let account = ConnectedAccount(
                name: "b",
                kind: .x,
                baseURL: baseURL,
                handle: standIn.userID,
                credentials: Credentials(accessToken: tokens.accessToken)
            )
            let connector = XConnector(http: http)
            _ = try await connector.publish(post("one"), idempotencyKey: "1", account: account)
            let error = try await #require(throws: ConnectorError.self) {
                try await connector.publish(post("two"), idempotencyKey: "2", account: account)
            }
            #expect(error.kind == .rateLimited)
            #expect((error.retryAt ?? .distantPast) > Date())
        }
    }

    @Test("5xx is transient")
    func serverError() async throws {
        try await withX { standIn, connector, account, _ in
            standIn.faults.inject(
                .answer(status: 503, body: #"{"title":"Service Unavailable","detail":"Service Unavailable","type":"about:blank","status":503}"#),
                into: "tweets"
            )
            let error = try await #require(throws: ConnectorError.self) { try await connector.publish(post(), idempotencyKey: "k", account: account) }
            #expect(error.kind == .transient)
            #expect(error.status == 503)
        }
    }

    @Test("an expired token is refreshed once, the rotated tokens saved before use, and the post goes out")
    func expiredTokenRefreshed() async throws {
        try await withX { standIn, connector, account, saved in
            standIn.expire(token: account.credentials.accessToken ?? "")
            let posted = try await connector.publish(post(), idempotencyKey: "k", account: account)
            #expect(standIn.posts.map(\.id) == [posted.id])
            #expect(standIn.oauth.tokenRequests == ["refresh_token"])
            let renewed = try #require(saved.all.first)
            #expect(saved.all.count == 1)
            #expect(renewed.accessToken != account.credentials.accessToken)
            #expect(renewed.refreshToken != account.credentials.refreshToken)
            #expect(renewed.clientID == "herald-client")
            #expect((renewed.expiresAt ?? .distantPast) > Date().addingTimeInterval(7_000))
            #expect(standIn.requests == ["POST /2/tweets", "POST /2/oauth2/token", "POST /2/tweets"])
        }
    }

    @Test("a token past its expiresAt is refreshed before the first request")
    func knownExpiryRefreshedFirst() async throws {
        try await withX { standIn, connector, account, saved in
            var account = account
            account.credentials.expiresAt = Date().addingTimeInterval(-10)
            _ = try await connector.check(account)
            #expect(saved.all.count == 1)
            #expect(standIn.requests == ["POST /2/oauth2/token", "GET /2/users/me"])
        }
    }

    @Test("a revoked token is auth, with no request after the refused refresh")
    func revoked() async throws {
        try await withX { standIn, connector, account, saved in
            standIn.revoke(token: account.credentials.accessToken ?? "")
            let error = try await #require(throws: ConnectorError.self) { try await connector.publish(post(), idempotencyKey: "k", account: account) }
            #expect(error.kind == .auth)
            #expect(error.message.contains("Value passed for the token was invalid."))
            #expect(saved.all.isEmpty)
            #expect(standIn.requests == ["POST /2/tweets", "POST /2/oauth2/token"])
            #expect(standIn.posts.isEmpty)
        }
    }

    @Test("a token refused again after a refresh is auth")
    func refusedAfterRefresh() async throws {
        try await withX { standIn, connector, account, _ in
            standIn.faults.inject(
                .answer(status: 401, body: #"{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}"#),
                .answer(status: 401, body: #"{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}"#),
                into: "tweets"
            )
            let error = try await #require(throws: ConnectorError.self) { try await connector.publish(post(), idempotencyKey: "k", account: account) }
            #expect(error.kind == .auth)
            #expect(standIn.requests == ["POST /2/tweets", "POST /2/oauth2/token", "POST /2/tweets"])
        }
    }

    @Test("a timeout after X stored the post is unknown_outcome; lookUp finds it, so nothing is posted twice")
    func storedThenStalled() async throws {
        try await withX { standIn, _, account, _ in
            standIn.faults.inject(.storeThenStall(seconds: 3), into: "tweets")
            let impatient = XConnector(http: PlatformHTTP(timeout: .seconds(1)))
            let outgoing = post()
            let error = try await #require(throws: ConnectorError.self) {
                try await impatient.publish(outgoing, idempotencyKey: "k", account: account)
            }
            #expect(error.kind == .unknownOutcome)
            let found = try await XConnector(http: http).lookUp(outgoing, idempotencyKey: "k", account: account)
            #expect(found?.id == standIn.posts.first?.id)
            #expect(standIn.posts.count == 1)
            // Links come back shortened to t.co: the tracking link is found among the entities' expanded URLs.
            #expect(standIn.posts.first?.text.contains(outgoing.trackingURL) == false)
        }
    }

    @Test("lookUp answers nil when no recent post carries the tracking link, and finds the user id when the handle is unknown")
    func lookUpAbsent() async throws {
        try await withX { standIn, connector, account, _ in
            _ = try await connector.publish(post(tracking: "https://herald.example/r/other"), idempotencyKey: "o", account: account)
            var anonymous = account
            anonymous.handle = nil
            #expect(try await connector.lookUp(post(), idempotencyKey: "k", account: anonymous) == nil)
            #expect(standIn.requests.suffix(2) == ["GET /2/users/me", "GET /2/users/\(standIn.userID)/tweets"])
        }
    }

    @Test("duplicate content is rejected_content with X's message")
    func duplicate() async throws {
        try await withX { standIn, connector, account, _ in
            _ = try await connector.publish(post(), idempotencyKey: "k1", account: account)
            let error = try await #require(throws: ConnectorError.self) {
                try await connector.publish(post(), idempotencyKey: "k2", account: account)
            }
            #expect(error.kind == .rejectedContent)
            #expect(error.status == 403)
            #expect(error.message == "You are not allowed to create a Tweet with duplicate content.")
            #expect(standIn.posts.count == 1)
        }
    }

    @Test("an image goes up with its alt text and is attached to the post")
    func image() async throws {
        try await withX { standIn, connector, account, _ in
            let image = MediaAttachment(data: Data([0x89, 0x50, 0x4E, 0x47, 1, 2, 3]), mimeType: "image/png", altText: "A runner on a ridge at dawn")
            _ = try await connector.publish(post(media: [image]), idempotencyKey: "k", account: account)
            let tweet = try #require(standIn.posts.first)
            #expect(tweet.mediaIDs.count == 1)
            let media = try #require(standIn.media[tweet.mediaIDs[0]])
            #expect(media.altText == "A runner on a ridge at dawn")
            #expect(media.size == 7)
            #expect(media.mediaType == "image/png")
        }
    }

    @Test("engagement reads public_metrics: likes, retweets + quotes, replies, impressions")
    func engagement() async throws {
        try await withX { standIn, connector, account, _ in
            let posted = try await connector.publish(post(), idempotencyKey: "k", account: account)
            standIn.setCounts(posted.id, .init(likes: 12, retweets: 3, replies: 2, quotes: 1, impressions: 900))
            let counts = try await connector.engagement(of: posted, account: account)
            #expect(counts == EngagementCounts(likes: 12, shares: 4, comments: 2, impressions: 900))
            let missing = try await #require(throws: ConnectorError.self) {
                try await connector.engagement(of: PostedPost(id: "42"), account: account)
            }
            #expect(missing.kind == .rejectedContent)
        }
    }

    @Test("check reads the user id, username and followers")
    func check() async throws {
        try await withX { standIn, connector, account, _ in
            let profile = try await connector.check(account)
            #expect(profile == AccountProfile(id: standIn.userID, handle: "herald_standin", followers: 1_234))
        }
    }

    @Test("classification of X's answers (pure)")
    func classify() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        func problem(_ status: Int, _ detail: String, type: String = "about:blank", headers: [(String, String)] = []) -> PlatformResponse {
            PlatformResponse(
                status: status,
                headers: headers,
                body: Data(#"{"title":"t","detail":"\#(detail)","type":"\#(type)","status":\#(status)}"#.utf8)
            )
        }
        #expect(XResponses.classify(problem(401, "Unauthorized"), now: now).kind == .auth)
        #expect(
            XResponses.classify(problem(403, "Client Forbidden", type: "https://api.twitter.com/2/problems/client-forbidden"), now: now).kind == .auth
        )
        #expect(XResponses.classify(problem(403, "You are not allowed to create a Tweet with duplicate content."), now: now).kind == .rejectedContent)
        #expect(XResponses.classify(problem(400, "One or more parameters to your request was invalid."), now: now).kind == .rejectedContent)
        #expect(XResponses.classify(problem(502, "Bad Gateway"), now: now).kind == .transient)
        let limited = XResponses.classify(problem(429, "Too Many Requests", headers: [("x-rate-limit-reset", "1800000300")]), now: now)
        #expect(limited == ConnectorError(.rateLimited, "Too Many Requests", status: 429, retryAt: now.addingTimeInterval(300)))
    }
}
