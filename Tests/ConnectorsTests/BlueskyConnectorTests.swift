import Connectors
import Foundation
import HeraldCore
import PlatformStandIns
import Synchronization
import Testing

/// The Bluesky connector against the PDS stand-in on loopback (real HTTP).
@Suite("Bluesky connector")
struct BlueskyConnectorTests {
    static let handle = "herald.test"
    static let appPassword = "abcd-efgh-ijkl-mnop"

    /// The credentials the connector stored, with how many `createRecord` requests the stand-in had seen when each
    /// was stored (to show they are stored before they are used).
    final class Saved: Sendable {
        let entries = Mutex<[(Credentials, Int)]>([])
        var all: [Credentials] { entries.withLock { $0.map(\.0) } }
        var last: Credentials? { all.last }
        var createRecordsSeen: [Int] { entries.withLock { $0.map(\.1) } }
    }

    /// Runs `body` against a fresh stand-in with the account `herald.test` (app password only, as just connected).
    func withPDS(
        _ standIn: BlueskyStandIn = BlueskyStandIn(),
        timeout: Duration = .seconds(30),
        _ body: (BlueskyStandIn, BlueskyConnector, ConnectedAccount, Saved) async throws -> Void
    ) async throws {
        standIn.addAccount(handle: Self.handle, password: "main-password", appPassword: Self.appPassword, followers: 1234)
        try await StandInServer.run(standIn.router()) { baseURL in
            let saved = Saved()
            let account = ConnectedAccount(
                name: "brand",
                kind: .bluesky,
                baseURL: baseURL,
                handle: Self.handle,
                credentials: Credentials(appPassword: Self.appPassword),
                saveCredentials: { credentials in saved.entries.withLock { $0.append((credentials, standIn.requestCount("createRecord"))) } }
            )
            try await body(standIn, BlueskyConnector(http: PlatformHTTP(timeout: timeout)), account, saved)
        }
    }

    func post(_ text: String, media: [MediaAttachment] = []) -> OutgoingPost {
        OutgoingPost(publication: UUID(), channel: .bluesky, text: text, trackingURL: "https://herald.test/r/abc123", media: media)
    }

    /// The error `body` throws, as a ``ConnectorError``.
    func failure(_ body: () async throws -> Void) async -> ConnectorError? {
        do {
            try await body()
            return nil
        } catch let error as ConnectorError {
            return error
        } catch {
            Issue.record("not a ConnectorError: \(error)")
            return nil
        }
    }

    @Test("publishes a post under the derived record key, with link, hashtag and mention facets on the stored record")
    func publishWithFacets() async throws {
        try await withPDS { standIn, connector, account, saved in
            let alice = standIn.addAccount(handle: "alice.test")
            let text = "Trail 🥾 season — ¡olé! https://herald.test/r/abc123 #TrailRunning cc @alice.test and @nobody.test"
            let posted = try await connector.publish(post(text), idempotencyKey: "pub-1", account: account)

            let rkey = RecordKey(idempotencyKey: "pub-1").rawValue
            let records = standIn.posts(in: Self.handle)
            #expect(records.count == 1)
            let record = try #require(records.first)
            #expect(posted.id == "at://\(record.repo)/app.bsky.feed.post/\(rkey)")
            #expect(posted.cid == record.cid)
            #expect(posted.url == "https://bsky.app/profile/\(record.repo)/post/\(rkey)")

            let stored = try #require(record.post)
            #expect(stored.text == text)
            let facets = try #require(stored.facets)
            #expect(facets.count == 3)
            #expect(facets.map { stored.slice($0) } == ["https://herald.test/r/abc123", "#TrailRunning", "@alice.test"])
            #expect(facets[0].features.first?.type == "app.bsky.richtext.facet#link")
            #expect(facets[0].features.first?.uri == "https://herald.test/r/abc123")
            #expect(facets[1].features.first?.tag == "TrailRunning")
            #expect(facets[2].features.first?.type == "app.bsky.richtext.facet#mention")
            #expect(facets[2].features.first?.did == alice)

            // Signed in once with the app password, and stored the session before using it.
            #expect(standIn.requestCount("createSession") == 1)
            #expect(saved.all.count == 1)
            #expect(saved.createRecordsSeen == [0])
            #expect(saved.last?.accessToken != nil && saved.last?.refreshToken != nil)
            #expect(saved.last?.appPassword == Self.appPassword)
        }
    }

    @Test(
        "a second publish with the same idempotency key answers the first post and makes no second record",
        arguments: [BlueskyStandIn.DuplicateRecordAnswer.internalServerError, .recordAlreadyExists]
    )
    func retryDoesNotPostTwice(duplicate: BlueskyStandIn.DuplicateRecordAnswer) async throws {
        try await withPDS(BlueskyStandIn(duplicateRecordAnswer: duplicate)) { standIn, connector, account, _ in
            let first = try await connector.publish(post("Hello once"), idempotencyKey: "pub-2", account: account)
            let second = try await connector.publish(post("Hello once"), idempotencyKey: "pub-2", account: account)
            #expect(second == first)
            #expect(standIn.posts(in: Self.handle).count == 1)
            #expect(standIn.requestCount("createRecord") == 2)
            #expect(standIn.requestCount("getRecord") == 1)
        }
    }

    @Test("429 with RateLimit headers: rate_limited until the PDS's reset")
    func rateLimited() async throws {
        let reset = Int(Date().timeIntervalSince1970) + 120
        try await withPDS { standIn, connector, account, _ in
            standIn.faults.inject(
                .answer(
                    status: 429,
                    headers: [
                        "RateLimit-Limit": "3000", "RateLimit-Remaining": "0", "RateLimit-Reset": "\(reset)", "RateLimit-Policy": "3000;w=300",
                    ],
                    body: #"{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}"#
                ),
                into: "createRecord"
            )
            let error = await failure { _ = try await connector.publish(post("Hi"), idempotencyKey: "pub-3", account: account) }
            #expect(error?.kind == .rateLimited)
            #expect(error?.status == 429)
            #expect(error?.retryAt == Date(timeIntervalSince1970: TimeInterval(reset)))
            #expect(standIn.posts(in: Self.handle).isEmpty)
        }
    }

    @Test("a used-up window is answered 429 by the stand-in itself, with its reset")
    func windowUsedUp() async throws {
        let standIn = BlueskyStandIn(rateLimit: .init(limit: 2, window: 300))
        try await withPDS(standIn) { standIn, connector, account, saved in
            _ = try await connector.publish(post("one"), idempotencyKey: "pub-4", account: account)
            var signedIn = account
            signedIn.credentials = try #require(saved.last)
            let before = Date()
            let error = await failure { _ = try await connector.publish(post("two"), idempotencyKey: "pub-5", account: signedIn) }
            #expect(error?.kind == .rateLimited)
            let retryAt = try #require(error?.retryAt)
            #expect(retryAt > before && retryAt <= before.addingTimeInterval(301))
            #expect(standIn.posts(in: Self.handle).count == 1)
        }
    }

    @Test("a 5xx is transient and stores nothing; the next attempt posts")
    func serverError() async throws {
        try await withPDS { standIn, connector, account, _ in
            standIn.faults.inject(
                .answer(status: 503, body: #"{"error":"InternalServerError","message":"Service Unavailable"}"#),
                into: "createRecord"
            )
            let error = await failure { _ = try await connector.publish(post("Hi"), idempotencyKey: "pub-6", account: account) }
            #expect(error?.kind == .transient)
            #expect(error?.status == 503)
            #expect(standIn.posts(in: Self.handle).isEmpty)
            _ = try await connector.publish(post("Hi"), idempotencyKey: "pub-6", account: account)
            #expect(standIn.posts(in: Self.handle).count == 1)
        }
    }

    @Test("an expired access token is refreshed once, the new session stored before it is used, and the post made")
    func expiredTokenRefreshed() async throws {
        try await withPDS { standIn, connector, account, saved in
            _ = try await connector.publish(post("first"), idempotencyKey: "pub-7", account: account)
            var signedIn = account
            signedIn.credentials = try #require(saved.last)
            standIn.expire(token: try #require(signedIn.credentials.accessToken))

            _ = try await connector.publish(post("second"), idempotencyKey: "pub-8", account: signedIn)
            #expect(standIn.requestCount("refreshSession") == 1)
            #expect(standIn.requestCount("createSession") == 1)
            #expect(standIn.posts(in: Self.handle).count == 2)
            #expect(saved.all.count == 2)
            // Stored after the refused createRecord (the 2nd) and before the retry (the 3rd).
            #expect(saved.createRecordsSeen == [0, 2])
            #expect(standIn.requestCount("createRecord") == 3)
            let refreshed = try #require(saved.last)
            #expect(refreshed.accessToken != signedIn.credentials.accessToken)
            #expect(refreshed.refreshToken != signedIn.credentials.refreshToken)
            #expect(standIn.liveTokens(of: Self.handle).access.contains(refreshed.accessToken ?? ""))
        }
    }

    @Test("a refresh token that is refused falls back to the app password once")
    func refreshRefusedSignsInAgain() async throws {
        try await withPDS { standIn, connector, account, saved in
            var stale = account
            stale.credentials = Credentials(accessToken: "expired.jwt.token", refreshToken: "revoked.jwt.token", appPassword: Self.appPassword)
            _ = try await connector.publish(post("Hi"), idempotencyKey: "pub-9", account: stale)
            #expect(standIn.requests == ["createRecord", "refreshSession", "createSession", "createRecord"])
            #expect(saved.all.count == 1)
            #expect(standIn.posts(in: Self.handle).count == 1)
        }
    }

    @Test("a revoked app password: auth after one refresh and one sign-in, and no further requests")
    func revokedAppPassword() async throws {
        try await withPDS { standIn, connector, account, saved in
            _ = try await connector.publish(post("first"), idempotencyKey: "pub-10", account: account)
            var signedIn = account
            signedIn.credentials = try #require(saved.last)
            standIn.revoke(appPassword: Self.appPassword)
            standIn.expire(token: try #require(signedIn.credentials.accessToken))
            let before = standIn.requests.count

            let error = await failure { _ = try await connector.publish(post("second"), idempotencyKey: "pub-11", account: signedIn) }
            #expect(error?.kind == .auth)
            #expect(error?.message == "Invalid identifier or password")
            #expect(Array(standIn.requests.dropFirst(before)) == ["createRecord", "refreshSession", "createSession"])
            #expect(standIn.posts(in: Self.handle).count == 1)
            #expect(saved.all.count == 1)
        }
    }

    @Test("an invalid session without a usable app password is auth at once")
    func invalidSession() async throws {
        try await withPDS { standIn, connector, account, _ in
            var broken = account
            broken.credentials = Credentials(accessToken: "not.a.token", refreshToken: nil, appPassword: "wrong-pass-word-here")
            let error = await failure { _ = try await connector.check(broken) }
            #expect(error?.kind == .auth)
            #expect(standIn.requests == ["getProfile", "createSession"])
        }
    }

    @Test("a timeout after the PDS stored the post is an unknown outcome; lookUp finds it and a retry posts nothing new")
    func timeoutAfterStore() async throws {
        try await withPDS { standIn, connector, account, saved in
            #expect(try await connector.lookUp(post("Hi"), idempotencyKey: "pub-12", account: account) == nil)
            _ = try await connector.check(account)
            var signedIn = account
            signedIn.credentials = try #require(saved.last)

            // Only the createRecord goes through the hasty connector (the session is open already).
            let hasty = BlueskyConnector(http: PlatformHTTP(timeout: .seconds(2)))
            standIn.faults.inject(.storeThenStall(seconds: 8), into: "createRecord")
            let error = await failure { _ = try await hasty.publish(post("Hi"), idempotencyKey: "pub-12", account: signedIn) }
            #expect(error?.kind == .unknownOutcome)
            // The stand-in stores before it stalls; on a loaded machine it may get to the request late.
            for _ in 0..<600 where standIn.posts(in: Self.handle).isEmpty { try await Task.sleep(for: .milliseconds(100)) }
            #expect(standIn.posts(in: Self.handle).count == 1)

            let found = try #require(try await connector.lookUp(post("Hi"), idempotencyKey: "pub-12", account: signedIn))
            #expect(found.id == standIn.posts(in: Self.handle).first?.uri)
            let again = try await connector.publish(post("Hi"), idempotencyKey: "pub-12", account: signedIn)
            #expect(again == found)
            #expect(standIn.posts(in: Self.handle).count == 1)
            #expect(standIn.requestCount("createRecord") == 2)
        }
    }

    @Test("a post the PDS refuses is rejected_content with the PDS's own message")
    func contentRefused() async throws {
        try await withPDS { standIn, connector, account, _ in
            let tooLong = String(repeating: "🥾", count: 301)
            let error = await failure { _ = try await connector.publish(post(tooLong), idempotencyKey: "pub-13", account: account) }
            #expect(error?.kind == .rejectedContent)
            #expect(error?.status == 400)
            #expect(error?.message == "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes")
            #expect(standIn.posts(in: Self.handle).isEmpty)
            // 300 graphemes of 4 bytes each is fine.
            _ = try await connector.publish(post(String(repeating: "🥾", count: 300)), idempotencyKey: "pub-14", account: account)
        }
    }

    @Test("an image is uploaded as a blob with its type and embedded with its alt text; a too-large one is refused")
    func imageWithAltText() async throws {
        try await withPDS { standIn, connector, account, _ in
            let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: UInt8(7), count: 512))
            let image = MediaAttachment(data: png, mimeType: "image/png", altText: "A pair of trail shoes on a rock")
            _ = try await connector.publish(post("New shoes", media: [image]), idempotencyKey: "pub-15", account: account)

            let stored = try #require(standIn.posts(in: Self.handle).first?.post)
            #expect(stored.embed?.type == "app.bsky.embed.images")
            let embedded = try #require(stored.embed?.images?.first)
            #expect(embedded.alt == "A pair of trail shoes on a rock")
            #expect(embedded.image.mimeType == "image/png")
            #expect(embedded.image.size == png.count)
            #expect(standIn.blobs[embedded.image.cid]?.data == png)

            let huge = MediaAttachment(data: Data(count: 1_000_001), mimeType: "image/jpeg", altText: "too big")
            let error = await failure { _ = try await connector.publish(post("Huge", media: [huge]), idempotencyKey: "pub-16", account: account) }
            #expect(error?.kind == .rejectedContent)
            #expect(error?.status == 413)
            #expect(standIn.posts(in: Self.handle).count == 1)
        }
    }

    @Test("engagement counts are read from getPosts: likes, reposts + quotes as shares, replies; no impressions")
    func counts() async throws {
        try await withPDS { standIn, connector, account, saved in
            let posted = try await connector.publish(post("Count me"), idempotencyKey: "pub-17", account: account)
            standIn.setCounts(uri: posted.id, likes: 5, reposts: 2, replies: 3, quotes: 1)
            var signedIn = account
            signedIn.credentials = try #require(saved.last)
            let counts = try await connector.engagement(of: posted, account: signedIn)
            #expect(counts == EngagementCounts(likes: 5, shares: 3, comments: 3, impressions: nil))
        }
    }

    @Test("check() signs in and reads the profile's DID, handle and followers")
    func check() async throws {
        try await withPDS { standIn, connector, account, saved in
            let profile = try await connector.check(account)
            #expect(profile.handle == Self.handle)
            #expect(profile.id.hasPrefix("did:plc:"))
            #expect(profile.followers == 1234)
            #expect(saved.all.count == 1)
            #expect(standIn.requests == ["createSession", "getProfile"])
        }
    }
}
