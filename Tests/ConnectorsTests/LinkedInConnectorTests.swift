import Connectors
import Foundation
import HeraldCore
import PlatformStandIns
import Testing

@Suite("LinkedIn connector against the LinkedIn stand-in")
struct LinkedInConnectorTests {
    let http = PlatformHTTP(timeout: .seconds(30))

    /// Runs `body` with a stand-in serving the pinned version, the connector, a connected account and its saved credentials.
    func withLinkedIn(
        _ standIn: LinkedInStandIn = LinkedInStandIn(activeVersions: [LinkedInRequests.version]),
        _ body: (LinkedInStandIn, LinkedInConnector, ConnectedAccount, SavedCredentials) async throws -> Void
    ) async throws {
        try await StandInServer.run(standIn.router()) { baseURL in
            let tokens = standIn.oauth.issue(clientID: "herald-client")
            let saved = SavedCredentials()
            let account = ConnectedAccount(
                name: "brand",
                kind: .linkedin,
                baseURL: baseURL,
                handle: standIn.personURN,
                credentials: Credentials(
                    accessToken: tokens.accessToken,
                    refreshToken: tokens.refreshToken,
                    expiresAt: Date().addingTimeInterval(5_000_000),
                    clientID: "herald-client",
                    clientSecret: "herald-secret"
                ),
                saveCredentials: { saved.save($0) }
            )
            try await body(standIn, LinkedInConnector(http: http), account, saved)
        }
    }

    func post(
        _ text: String = "Trail season is here (20% off).",
        tracking: String = "https://herald.example/r/abc_123",
        media: [MediaAttachment] = []
    ) -> OutgoingPost {
        OutgoingPost(publication: UUID(), channel: .linkedin, text: "\(text) \(tracking)", trackingURL: tracking, media: media)
    }

    @Test("publish creates one public post with the pinned version; its URN comes from x-restli-id")
    func publish() async throws {
        try await withLinkedIn { standIn, connector, account, saved in
            let posted = try await connector.publish(post(), idempotencyKey: "k", account: account)
            let stored = try #require(standIn.posts.first)
            #expect(standIn.posts.count == 1)
            #expect(posted.id == stored.urn)
            #expect(posted.url == "https://www.linkedin.com/feed/update/\(stored.urn)/")
            #expect(stored.author == standIn.personURN)
            #expect(stored.commentary == #"Trail season is here \(20% off\). https://herald.example/r/abc\_123"#)
            #expect(stored.visibility == "PUBLIC" && stored.lifecycleState == "PUBLISHED")
            #expect(stored.version == LinkedInRequests.version)
            #expect(stored.restliProtocolVersion == "2.0.0")
            #expect(saved.all.isEmpty)
        }
    }

    @Test("without a handle the author URN comes from /v2/userinfo")
    func authorFromUserInfo() async throws {
        try await withLinkedIn { standIn, connector, account, _ in
            var account = account
            account.handle = nil
            _ = try await connector.publish(post(), idempotencyKey: "k", account: account)
            #expect(standIn.requests == ["GET /v2/userinfo", "POST /rest/posts"])
            #expect(standIn.posts.first?.author == standIn.personURN)
        }
    }

    @Test("429 is rate_limited; LinkedIn sends no reset, Retry-After is honoured when present")
    func rateLimited() async throws {
        try await withLinkedIn { standIn, connector, account, _ in
            let body =
                #"{"status":429,"serviceErrorCode":101,"code":"TOO_MANY_REQUESTS","message":"Resource level throttle MEMBER DAY limit for calls to this resource is reached."}"#
            standIn.faults.inject(.answer(status: 429, body: body), .answer(status: 429, headers: ["Retry-After": "600"], body: body), into: "posts")
            let bare = try await #require(throws: ConnectorError.self) { try await connector.publish(post(), idempotencyKey: "k", account: account) }
            #expect(bare.kind == .rateLimited)
            #expect(bare.retryAt == nil)
            #expect(bare.message.contains("MEMBER DAY limit"))
            let before = Date()
            let after = try await #require(throws: ConnectorError.self) { try await connector.publish(post(), idempotencyKey: "k", account: account) }
            #expect(after.kind == .rateLimited)
            let retryAt = try #require(after.retryAt)
            #expect(retryAt >= before.addingTimeInterval(599) && retryAt <= Date().addingTimeInterval(601))
            #expect(standIn.posts.isEmpty)
        }
    }

    @Test("the stand-in's daily limit answers 429")
    func dailyLimit() async throws {
        try await withLinkedIn(LinkedInStandIn(activeVersions: [LinkedInRequests.version], dailyPostLimit: 1)) { standIn, connector, account, _ in
            _ = try await connector.publish(post("one"), idempotencyKey: "1", account: account)
            let error = try await #require(throws: ConnectorError.self) {
                try await connector.publish(post("two"), idempotencyKey: "2", account: account)
            }
            #expect(error.kind == .rateLimited)
            #expect(standIn.posts.count == 1)
        }
    }

    @Test("5xx is transient")
    func serverError() async throws {
        try await withLinkedIn { standIn, connector, account, _ in
            standIn.faults.inject(.answer(status: 504, body: #"{"status":504,"code":"GATEWAY_TIMEOUT","message":"Gateway Timeout"}"#), into: "posts")
            let error = try await #require(throws: ConnectorError.self) { try await connector.publish(post(), idempotencyKey: "k", account: account) }
            #expect(error.kind == .transient)
            #expect(error.status == 504)
        }
    }

    @Test("an expired token is refreshed once and saved (same refresh token), then the post goes out")
    func expiredTokenRefreshed() async throws {
        try await withLinkedIn { standIn, connector, account, saved in
            standIn.expire(token: account.credentials.accessToken ?? "")
            let posted = try await connector.publish(post(), idempotencyKey: "k", account: account)
            #expect(standIn.posts.map(\.urn) == [posted.id])
            #expect(standIn.oauth.tokenRequests == ["refresh_token"])
            let renewed = try #require(saved.all.first)
            #expect(saved.all.count == 1)
            #expect(renewed.accessToken != account.credentials.accessToken)
            #expect(renewed.refreshToken == account.credentials.refreshToken)
            #expect(standIn.requests == ["POST /rest/posts", "POST /oauth/v2/accessToken", "POST /rest/posts"])
        }
    }

    @Test("a revoked token is auth, with no request after the refused refresh")
    func revoked() async throws {
        try await withLinkedIn { standIn, connector, account, saved in
            standIn.revoke(token: account.credentials.accessToken ?? "")
            let error = try await #require(throws: ConnectorError.self) { try await connector.publish(post(), idempotencyKey: "k", account: account) }
            #expect(error.kind == .auth)
            #expect(error.message.contains("invalid, expired or revoked"))
            #expect(saved.all.isEmpty)
            #expect(standIn.requests == ["POST /rest/posts", "POST /oauth/v2/accessToken"])
            #expect(standIn.posts.isEmpty)
        }
    }

    @Test("a timeout after LinkedIn stored the post is unknown_outcome; lookUp finds it, so nothing is posted twice")
    func storedThenStalled() async throws {
        try await withLinkedIn { standIn, _, account, _ in
            standIn.faults.inject(.storeThenStall(seconds: 3), into: "posts")
            let outgoing = post()
            let error = try await #require(throws: ConnectorError.self) {
                try await LinkedInConnector(http: PlatformHTTP(timeout: .seconds(1))).publish(outgoing, idempotencyKey: "k", account: account)
            }
            #expect(error.kind == .unknownOutcome)
            let connector = LinkedInConnector(http: http)
            let found = try await connector.lookUp(outgoing, idempotencyKey: "k", account: account)
            #expect(found?.id == standIn.posts.first?.urn)
            let absent = try await connector.lookUp(post(tracking: "https://herald.example/r/other"), idempotencyKey: "o", account: account)
            #expect(absent == nil)
            #expect(standIn.posts.count == 1)
        }
    }

    @Test("refused content is rejected_content with LinkedIn's message")
    func duplicate() async throws {
        try await withLinkedIn { standIn, connector, account, _ in
            let first = try await connector.publish(post(), idempotencyKey: "k1", account: account)
            let error = try await #require(throws: ConnectorError.self) {
                try await connector.publish(post(), idempotencyKey: "k2", account: account)
            }
            #expect(error.kind == .rejectedContent)
            #expect(error.status == 422)
            #expect(error.message == "Content is a duplicate of \(first.id)")
            #expect(standIn.posts.count == 1)
        }
    }

    @Test("a version LinkedIn no longer serves is rejected_content naming the pinned version")
    func inactiveVersion() async throws {
        try await withLinkedIn(LinkedInStandIn(activeVersions: ["209901"])) { standIn, connector, account, _ in
            let error = try await #require(throws: ConnectorError.self) { try await connector.publish(post(), idempotencyKey: "k", account: account) }
            #expect(error.kind == .rejectedContent)
            #expect(error.status == 426)
            #expect(error.message.hasPrefix("Requested version \(LinkedInRequests.version) is not active"))
            #expect(error.message.contains("LinkedInRequests.version"))
            #expect(standIn.posts.isEmpty)
        }
    }

    @Test("an image is initialized, uploaded and attached with its alt text")
    func image() async throws {
        try await withLinkedIn { standIn, connector, account, _ in
            let image = MediaAttachment(data: Data(repeating: 7, count: 300), mimeType: "image/jpeg", altText: "A runner on a ridge at dawn")
            _ = try await connector.publish(post(media: [image]), idempotencyKey: "k", account: account)
            let stored = try #require(standIn.posts.first)
            let urn = try #require(stored.image)
            #expect(stored.altText == "A runner on a ridge at dawn")
            let uploaded = try #require(standIn.images[urn])
            #expect(uploaded.owner == standIn.personURN && uploaded.size == 300 && uploaded.mediaType == "image/jpeg")
            #expect(standIn.requests.count == 3)
        }
    }

    @Test("engagement reads likes and comments from socialActions")
    func engagement() async throws {
        try await withLinkedIn { standIn, connector, account, _ in
            let posted = try await connector.publish(post(), idempotencyKey: "k", account: account)
            standIn.setCounts(posted.id, likes: 17, comments: 4)
            let counts = try await connector.engagement(of: posted, account: account)
            #expect(counts == EngagementCounts(likes: 17, shares: 0, comments: 4, impressions: nil))
        }
    }

    @Test("check reads the member's URN and name from /v2/userinfo")
    func check() async throws {
        try await withLinkedIn { standIn, connector, account, _ in
            let profile = try await connector.check(account)
            #expect(profile == AccountProfile(id: standIn.personURN, handle: "Herald Stand-in"))
        }
    }

    @Test("the whole PKCE flow against the LinkedIn stand-in ends in working credentials")
    func fullFlow() async throws {
        let standIn = LinkedInStandIn(activeVersions: [LinkedInRequests.version])
        try await StandInServer.run(standIn.router()) { baseURL in
            let (urls, opened) = AsyncStream<URL>.makeStream()
            let credentials = try await withThrowingTaskGroup(of: Credentials?.self) { group in
                group.addTask {
                    try await OAuthAuthorization.authorize(
                        provider: .linkedIn(baseURL: baseURL),
                        clientID: "li-client",
                        clientSecret: "li-secret",
                        http: http,
                        timeout: .seconds(20)
                    ) { url in
                        opened.yield(url)
                        opened.finish()
                    }
                }
                group.addTask {
                    for await url in urls {
                        let (status, _) = try await OAuthTests.browse(url.absoluteString)
                        #expect(status == 200)
                    }
                    return nil
                }
                var result: Credentials?
                for try await value in group { if let value { result = value } }
                return try #require(result)
            }
            #expect(credentials.clientID == "li-client")
            let account = ConnectedAccount(name: "brand", kind: .linkedin, baseURL: baseURL, credentials: credentials)
            let profile = try await LinkedInConnector(http: http).check(account)
            #expect(profile.id == standIn.personURN)
        }
    }

    @Test("classification of LinkedIn's answers (pure)")
    func classify() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        func answer(_ status: Int, _ code: String, _ message: String) -> PlatformResponse {
            PlatformResponse(status: status, body: Data(#"{"status":\#(status),"code":"\#(code)","message":"\#(message)"}"#.utf8))
        }
        #expect(LinkedInResponses.classify(answer(401, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired"), now: now).kind == .auth)
        #expect(LinkedInResponses.classify(answer(403, "ACCESS_DENIED", "Not enough permissions"), now: now).kind == .auth)
        #expect(LinkedInResponses.classify(answer(400, "VERSION_MISSING", "A version must be present."), now: now).kind == .rejectedContent)
        #expect(
            LinkedInResponses.classify(answer(422, "UNPROCESSABLE_ENTITY", "bad"), now: now) == ConnectorError(.rejectedContent, "bad", status: 422)
        )
        #expect(LinkedInResponses.classify(answer(500, "INTERNAL_SERVER_ERROR", "oops"), now: now).kind == .transient)
        #expect(LinkedInRequests.littleText("a_b (c) #d @e") == ##"a\_b \(c\) \#d \@e"##)
    }
}
