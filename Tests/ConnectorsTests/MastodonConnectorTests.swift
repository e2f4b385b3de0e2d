import Connectors
import Foundation
import HeraldCore
import PlatformStandIns
import Synchronization
import Testing

/// The Mastodon connector against the Mastodon stand-in over loopback HTTP.
@Suite("Mastodon connector against the stand-in")
struct MastodonConnectorTests {
    /// A clock the stand-in reads, that a test moves.
    final class TestClock: Sendable {
        private let current: Mutex<Date>
        init(_ start: Date) { current = Mutex(start) }
        var now: Date { current.withLock { $0 } }
        func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
    }

    /// Counts calls of an account's saveCredentials.
    final class SaveCounter: Sendable {
        private let count = Mutex(0)
        var value: Int { count.withLock { $0 } }
        func increment() { count.withLock { $0 += 1 } }
    }

    let token = "mastodon-token-1"
    let trackingURL = "https://herald.example/r/k7Q2pX"

    func post(_ text: String? = nil, trackingURL: String? = nil, media: [MediaAttachment] = []) -> OutgoingPost {
        let link = trackingURL ?? self.trackingURL
        return OutgoingPost(
            publication: UUID(),
            channel: .mastodon,
            text: text ?? "Spring sale starts today \(link) #sale",
            trackingURL: link,
            media: media
        )
    }

    func account(_ baseURL: String, token: String? = nil, handle: String? = nil, saved: SaveCounter? = nil) -> ConnectedAccount {
        ConnectedAccount(
            name: "brand",
            kind: .mastodon,
            baseURL: baseURL,
            handle: handle,
            credentials: Credentials(accessToken: token ?? self.token),
            saveCredentials: { _ in saved?.increment() }
        )
    }

    func connector(timeout: Duration = .seconds(30)) -> MastodonConnector {
        var connector = MastodonConnector(http: PlatformHTTP(timeout: timeout))
        connector.mediaPollInterval = .milliseconds(20)
        return connector
    }

    func expectError(_ kind: ConnectorError.Kind, _ body: () async throws -> Void) async throws -> ConnectorError {
        do {
            try await body()
        } catch let error as ConnectorError {
            #expect(error.kind == kind, "\(error)")
            return error
        }
        Issue.record("expected \(kind), nothing was thrown")
        return ConnectorError(kind, "not thrown")
    }

    @Test("publish puts the status on the instance, with its id and URL")
    func publish() async throws {
        let standIn = MastodonStandIn(tokens: [token])
        try await StandInServer.run(standIn.router()) { baseURL in
            let posted = try await connector().publish(post(), idempotencyKey: "pub-1", account: account(baseURL))
            let status = try #require(standIn.statuses.first)
            #expect(standIn.statuses.count == 1)
            #expect(posted.id == status.id)
            #expect(posted.url == "\(baseURL)/@herald/\(status.id)")
            #expect(status.text == "Spring sale starts today \(trackingURL) #sale")
            #expect(status.visibility == "public")
            #expect(status.idempotencyKey == "pub-1")
            #expect(status.content.contains("href=\"\(trackingURL)\""))
        }
    }

    @Test("a retry with the same Idempotency-Key answers the first status: one status on the instance")
    func idempotentRetry() async throws {
        let standIn = MastodonStandIn(tokens: [token])
        try await StandInServer.run(standIn.router()) { baseURL in
            let first = try await connector().publish(post(), idempotencyKey: "pub-2", account: account(baseURL))
            let again = try await connector().publish(post(), idempotencyKey: "pub-2", account: account(baseURL))
            #expect(first == again)
            #expect(standIn.statuses.count == 1)
            #expect(standIn.requests(to: "statuses") == 2)
            _ = try await connector().publish(post(), idempotencyKey: "pub-3", account: account(baseURL))
            #expect(standIn.statuses.count == 2)
        }
    }

    @Test("the stand-in keeps an Idempotency-Key for one hour, as Mastodon does (why lookUp scans recent statuses)")
    func idempotencyWindow() async throws {
        let clock = TestClock(Date(timeIntervalSince1970: 1_800_000_000))
        let standIn = MastodonStandIn(tokens: [token], now: { clock.now })
        try await StandInServer.run(standIn.router()) { baseURL in
            let first = try await connector().publish(post(), idempotencyKey: "pub-4", account: account(baseURL))
            clock.advance(59 * 60)
            #expect(try await connector().publish(post(), idempotencyKey: "pub-4", account: account(baseURL)) == first)
            clock.advance(2 * 60)
            #expect(try await connector().publish(post(), idempotencyKey: "pub-4", account: account(baseURL)) != first)
            #expect(standIn.statuses.count == 2)
        }
    }

    @Test("posting over the budget is 429: rate_limited until the X-RateLimit-Reset the instance sent")
    func rateLimitedBudget() async throws {
        let clock = TestClock(Date(timeIntervalSince1970: 1_800_000_123))
        let standIn = MastodonStandIn(configuration: .init(postingLimit: 1), tokens: [token], now: { clock.now })
        try await StandInServer.run(standIn.router()) { baseURL in
            _ = try await connector().publish(post(), idempotencyKey: "pub-5", account: account(baseURL))
            let error = try await expectError(.rateLimited) {
                _ = try await connector().publish(
                    post(trackingURL: "https://herald.example/r/other"),
                    idempotencyKey: "pub-6",
                    account: account(baseURL)
                )
            }
            #expect(error.status == 429)
            #expect(error.message == "Too many requests")
            // Mastodon's statuses family: 300 per 3 hours, in windows aligned to the period.
            let reset = Date(timeIntervalSince1970: (1_800_000_123 / 10_800).rounded(.down) * 10_800 + 10_800)
            #expect(standIn.postingReset == reset)
            #expect(error.retryAt == reset)
            #expect(standIn.statuses.count == 1)
        }
    }

    @Test("an injected 429 with X-RateLimit-Reset: retryAt is the header's time")
    func rateLimitedFault() async throws {
        let standIn = MastodonStandIn(tokens: [token])
        standIn.faults.inject(
            .answer(
                status: 429,
                headers: ["X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2027-01-15T08:00:00.000Z"],
                body: #"{"error":"Too many requests"}"#
            ),
            into: "statuses"
        )
        try await StandInServer.run(standIn.router()) { baseURL in
            let error = try await expectError(.rateLimited) {
                _ = try await connector().publish(post(), idempotencyKey: "pub-7", account: account(baseURL))
            }
            #expect(error.retryAt == ISO8601DateFormatter().date(from: "2027-01-15T08:00:00Z"))
            #expect(standIn.statuses.isEmpty)
            // The next try goes through.
            _ = try await connector().publish(post(), idempotencyKey: "pub-7", account: account(baseURL))
            #expect(standIn.statuses.count == 1)
        }
    }

    @Test("503 is transient")
    func unavailable() async throws {
        let standIn = MastodonStandIn(tokens: [token])
        standIn.faults.inject(.answer(status: 503, body: #"{"error":"Service Unavailable"}"#), into: "statuses")
        try await StandInServer.run(standIn.router()) { baseURL in
            let error = try await expectError(.transient) {
                _ = try await connector().publish(post(), idempotencyKey: "pub-8", account: account(baseURL))
            }
            #expect(error.status == 503)
            #expect(standIn.statuses.isEmpty)
        }
    }

    @Test("a revoked token is auth at once: no refresh, no credentials saved, no further request")
    func revoked() async throws {
        let standIn = MastodonStandIn(tokens: [token])
        standIn.revoke(token: token)
        let saved = SaveCounter()
        try await StandInServer.run(standIn.router()) { baseURL in
            let image = MediaAttachment(data: Data([0x89, 0x50, 0x4E, 0x47]), mimeType: "image/png", altText: "Logo")
            let error = try await expectError(.auth) {
                _ = try await connector().publish(post(media: [image]), idempotencyKey: "pub-9", account: account(baseURL, saved: saved))
            }
            #expect(error.status == 401)
            #expect(error.message == "The access token was revoked")
            #expect(standIn.requestCounts == ["media": 1])
            #expect(standIn.statuses.isEmpty && standIn.media.isEmpty)
            #expect(saved.value == 0)
        }
    }

    @Test("an expired or unknown token is auth at once too (Mastodon has no refresh in this flow)")
    func expiredAndUnknown() async throws {
        let standIn = MastodonStandIn(tokens: [token])
        standIn.expire(token: token)
        try await StandInServer.run(standIn.router()) { baseURL in
            let expired = try await expectError(.auth) { _ = try await connector().check(account(baseURL)) }
            #expect(expired.message == "The access token expired")
            let unknown = try await expectError(.auth) { _ = try await connector().check(account(baseURL, token: "nope")) }
            #expect(unknown.message == "The access token is invalid")
            let missing = try await expectError(.auth) {
                _ = try await connector().check(ConnectedAccount(name: "brand", kind: .mastodon, baseURL: baseURL, credentials: Credentials()))
            }
            #expect(missing.status == nil)
            #expect(standIn.requests(to: "verifyCredentials") == 2)
        }
    }

    @Test("a timeout after the instance stored the status is unknown_outcome; lookUp finds it, so nothing is posted again")
    func storedThenStalled() async throws {
        let standIn = MastodonStandIn(tokens: [token])
        try await StandInServer.run(standIn.router()) { baseURL in
            // An earlier status whose tracking link starts like this one's must not be taken for it.
            _ = try await connector().publish(post(trackingURL: trackingURL + "9"), idempotencyKey: "pub-older", account: account(baseURL))
            standIn.faults.inject(.storeThenStall(seconds: 2.5), into: "statuses")
            let slow = connector(timeout: .seconds(1))
            let outgoing = post()
            let error = try await expectError(.unknownOutcome) {
                _ = try await slow.publish(outgoing, idempotencyKey: "pub-10", account: account(baseURL))
            }
            #expect(error.message.contains("127.0.0.1"))
            #expect(standIn.statuses.count == 2)
            let stored = try #require(standIn.statuses.last)
            // lookUp asks verify_credentials for the token's account, whatever the handle says.
            let found = try await connector().lookUp(outgoing, idempotencyKey: "pub-10", account: account(baseURL))
            #expect(found?.id == stored.id)
            #expect(found?.url == "\(baseURL)/@herald/\(stored.id)")
            let byHandle = try await connector().lookUp(outgoing, idempotencyKey: "pub-10", account: account(baseURL, handle: "herald"))
            #expect(byHandle == found)
            #expect(standIn.requests(to: "statuses") == 2)
            #expect(standIn.requests(to: "accountStatuses") == 2)
            #expect(standIn.requests(to: "verifyCredentials") == 2)
            let absent = try await connector().lookUp(
                post(trackingURL: "https://herald.example/r/never"),
                idempotencyKey: "pub-11",
                account: account(baseURL)
            )
            #expect(absent == nil)
        }
    }

    @Test("a timeout before the instance did anything: unknown_outcome, and lookUp says certainly absent")
    func stalledBeforeWork() async throws {
        let standIn = MastodonStandIn(tokens: [token])
        standIn.faults.inject(.stallBeforeWork(seconds: 2), into: "statuses")
        try await StandInServer.run(standIn.router()) { baseURL in
            let outgoing = post()
            _ = try await expectError(.unknownOutcome) {
                _ = try await connector(timeout: .seconds(1)).publish(outgoing, idempotencyKey: "pub-12", account: account(baseURL))
            }
            #expect(try await connector().lookUp(outgoing, idempotencyKey: "pub-12", account: account(baseURL)) == nil)
            #expect(standIn.statuses.isEmpty)
        }
    }

    @Test("a status over 500 characters is rejected_content with Mastodon's message; links count 23")
    func tooLong() async throws {
        let standIn = MastodonStandIn(tokens: [token])
        try await StandInServer.run(standIn.router()) { baseURL in
            let error = try await expectError(.rejectedContent) {
                _ = try await connector().publish(post(String(repeating: "a", count: 501)), idempotencyKey: "pub-13", account: account(baseURL))
            }
            #expect(error.message == "Validation failed: Text character limit of 500 exceeded")
            #expect(error.status == 422)
            #expect(standIn.statuses.isEmpty)
            // 470 characters and a 60-character link: 493 as Mastodon counts.
            let link = "https://herald.example/r/" + String(repeating: "z", count: 35)
            _ = try await connector().publish(
                post(String(repeating: "b", count: 469) + " " + link, trackingURL: link),
                idempotencyKey: "pub-14",
                account: account(baseURL)
            )
            #expect(standIn.statuses.count == 1)
        }
    }

    @Test("an image is uploaded with its alt text, processed, and attached to the status")
    func imageWithAltText() async throws {
        let standIn = MastodonStandIn(configuration: .init(mediaProcessingPolls: 2), tokens: [token])
        let bytes = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: UInt8(7), count: 300))
        let image = MediaAttachment(data: bytes, mimeType: "image/png", altText: "A bar chart: clicks doubled in March")
        try await StandInServer.run(standIn.router()) { baseURL in
            let posted = try await connector().publish(post(media: [image]), idempotencyKey: "pub-15", account: account(baseURL))
            let media = try #require(standIn.media.first)
            #expect(standIn.media.count == 1)
            #expect(media.data == bytes)
            #expect(media.mimeType == "image/png")
            #expect(media.description == "A bar chart: clicks doubled in March")
            #expect(media.statusID == posted.id)
            #expect(standIn.statuses.first?.mediaIDs == [media.id])
            // 202 on upload, 206 twice while processing, then 200.
            #expect(standIn.requests(to: "mediaStatus") == 3)
        }
    }

    @Test("a status naming an unknown or unprocessed attachment is refused with 422")
    func unknownMedia() async throws {
        let standIn = MastodonStandIn(tokens: [token])
        try await StandInServer.run(standIn.router()) { baseURL in
            let requests = MastodonRequests(baseURL: baseURL, accessToken: token)
            let http = PlatformHTTP()
            let unknown = try await http.send(try requests.postStatus(text: "hi", mediaIDs: ["999"], idempotencyKey: "k1"))
            #expect(unknown.status == 422)
            let refused = MastodonErrorClassifier.classify(unknown, now: Date())
            #expect(refused == ConnectorError(.rejectedContent, "Media 999 not found or already attached to another post", status: 422))
            let upload = try await http.send(
                requests.uploadMedia(MediaAttachment(data: Data([1, 2, 3]), mimeType: "image/png", altText: "x"), boundary: "b0undary")
            )
            #expect(upload.status == 202)
            let uploaded = try upload.decode(MastodonEntity.MediaAttachment.self)
            #expect(uploaded.url == nil)
            let early = try await http.send(try requests.postStatus(text: "hi", mediaIDs: [uploaded.id], idempotencyKey: "k2"))
            #expect(MastodonErrorClassifier.message(early) == "Cannot attach files that have not finished processing. Try again in a moment!")
            #expect(standIn.statuses.isEmpty)
        }
    }

    @Test("the stand-in reads a form-encoded status with media_ids[] as Mastodon does")
    func formEncodedStatus() async throws {
        let standIn = MastodonStandIn(configuration: .init(mediaProcessingPolls: 0), tokens: [token])
        try await StandInServer.run(standIn.router()) { baseURL in
            let requests = MastodonRequests(baseURL: baseURL, accessToken: token)
            let http = PlatformHTTP()
            let upload = try await http.send(
                requests.uploadMedia(MediaAttachment(data: Data([1, 2, 3]), mimeType: "image/gif", altText: "A wave"), boundary: "xyz")
            )
            #expect(upload.status == 200)
            let media = try upload.decode(MastodonEntity.MediaAttachment.self)
            #expect(media.url != nil)
            #expect(media.description == "A wave")
            let form = "status=Hello+%26+welcome&media_ids%5B%5D=\(media.id)&visibility=unlisted"
            let response = try await http.send(
                PlatformRequest(
                    method: "POST",
                    url: baseURL + "/api/v1/statuses",
                    headers: [
                        ("Authorization", "Bearer \(token)"), ("Content-Type", "application/x-www-form-urlencoded"), ("Idempotency-Key", "f1"),
                    ],
                    body: Data(form.utf8)
                )
            )
            #expect(response.status == 200)
            let status = try #require(standIn.statuses.first)
            #expect(status.text == "Hello & welcome")
            #expect(status.content == "<p>Hello &amp; welcome</p>")
            #expect(status.visibility == "unlisted")
            #expect(status.mediaIDs == [media.id])
        }
    }

    @Test("engagement reads favourites, reblogs and replies; no impressions")
    func engagement() async throws {
        let standIn = MastodonStandIn(tokens: [token])
        try await StandInServer.run(standIn.router()) { baseURL in
            let posted = try await connector().publish(post(), idempotencyKey: "pub-16", account: account(baseURL))
            #expect(try await connector().engagement(of: posted, account: account(baseURL)) == EngagementCounts(likes: 0, shares: 0, comments: 0))
            standIn.setCounts(statusID: posted.id, favourites: 12, reblogs: 4, replies: 3)
            let counts = try await connector().engagement(of: posted, account: account(baseURL))
            #expect(counts == EngagementCounts(likes: 12, shares: 4, comments: 3, impressions: nil))
            let gone = try await expectError(.rejectedContent) {
                _ = try await connector().engagement(of: PostedPost(id: "1"), account: account(baseURL))
            }
            #expect(gone.message == "Record not found")
        }
    }

    @Test("check returns the account's id, acct and followers")
    func check() async throws {
        let standIn = MastodonStandIn(configuration: .init(username: "brand"), tokens: [token])
        standIn.setFollowers(1_234)
        try await StandInServer.run(standIn.router()) { baseURL in
            let profile = try await connector().check(account(baseURL + "/"))
            #expect(profile == AccountProfile(id: MastodonStandIn.accountID, handle: "brand", followers: 1_234))
        }
    }

    @Test("every answer carries Mastodon's rate-limit headers")
    func rateLimitHeaders() async throws {
        // Windows are aligned to their period: with Mastodon's 5 minutes, a loaded machine once crossed a window's end
        // between the requests (the third found a fresh window). A window of 10^9 s next ends in 2033.
        let standIn = MastodonStandIn(configuration: .init(apiLimit: 2, apiPeriod: 1_000_000_000), tokens: [token])
        try await StandInServer.run(standIn.router()) { baseURL in
            let requests = MastodonRequests(baseURL: baseURL, accessToken: token)
            let http = PlatformHTTP()
            let first = try await http.send(requests.verifyCredentials())
            let limits = RateLimitHeaders(first, now: Date())
            #expect(limits.limit == 2)
            #expect(limits.remaining == 1)
            #expect(limits.reset != nil)
            let missing = try await http.send(requests.status(id: "404"))
            #expect(missing.status == 404)
            #expect(RateLimitHeaders(missing, now: Date()).remaining == 0)
            let over = try await http.send(requests.verifyCredentials())
            let error = MastodonErrorClassifier.classify(over, now: Date())
            #expect(error.kind == .rateLimited)
            #expect(error.retryAt == limits.reset)
        }
    }
}
