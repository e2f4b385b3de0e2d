import Connectors
import Foundation
import Testing

@Suite("Mastodon requests and errors (pure)")
struct MastodonRequestsTests {
    let requests = MastodonRequests(baseURL: "https://mastodon.example/", accessToken: "tok123")
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func header(_ request: PlatformRequest, _ name: String) -> String? {
        request.headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }

    @Test("A status is a JSON POST with the bearer token and the native Idempotency-Key, not idempotent on the wire")
    func postStatus() throws {
        let request = try requests.postStatus(text: "Hello https://h.example/r/abc", mediaIDs: ["7", "8"], idempotencyKey: "pub-1")
        #expect(request.method == "POST")
        #expect(request.url == "https://mastodon.example/api/v1/statuses")
        #expect(header(request, "Authorization") == "Bearer tok123")
        #expect(header(request, "Idempotency-Key") == "pub-1")
        #expect(header(request, "Content-Type") == "application/json")
        #expect(!request.idempotent)
        let data = try #require(request.body)
        let body = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(body["status"] as? String == "Hello https://h.example/r/abc")
        #expect(body["media_ids"] as? [String] == ["7", "8"])
        #expect(body["visibility"] as? String == "public")
        let plain = try requests.postStatus(text: "x", idempotencyKey: "k")
        let plainData = try #require(plain.body)
        let plainBody = try #require(try JSONSerialization.jsonObject(with: plainData) as? [String: Any])
        #expect(plainBody["media_ids"] == nil)
    }

    @Test("Media goes to /api/v2/media as multipart with the file and its description")
    func uploadMedia() throws {
        let image = MediaAttachment(data: Data([0x89, 0x50, 0x4E, 0x47]), mimeType: "image/png", altText: "A bar chart: clicks by day")
        let request = requests.uploadMedia(image, boundary: "BOUNDARY")
        #expect(request.url == "https://mastodon.example/api/v2/media")
        #expect(header(request, "Content-Type") == "multipart/form-data; boundary=BOUNDARY")
        #expect(header(request, "Authorization") == "Bearer tok123")
        #expect(request.idempotent)
        var expected = Data(
            "--BOUNDARY\r\nContent-Disposition: form-data; name=\"file\"; filename=\"image.png\"\r\nContent-Type: image/png\r\n\r\n".utf8
        )
        expected.append(Data([0x89, 0x50, 0x4E, 0x47]))
        expected.append(
            Data("\r\n--BOUNDARY\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\nA bar chart: clicks by day\r\n--BOUNDARY--\r\n".utf8)
        )
        #expect(request.body == expected)
    }

    @Test("Reads: a status, media processing, the token's account, an account's recent statuses (at most 40)")
    func reads() {
        #expect(requests.status(id: "109").url == "https://mastodon.example/api/v1/statuses/109")
        #expect(requests.media(id: "22").url == "https://mastodon.example/api/v1/media/22")
        #expect(requests.verifyCredentials().url == "https://mastodon.example/api/v1/accounts/verify_credentials")
        #expect(requests.accountStatuses(accountID: "1", limit: 100).url == "https://mastodon.example/api/v1/accounts/1/statuses?limit=40")
        #expect(requests.status(id: "../x").url == "https://mastodon.example/api/v1/statuses/..%2Fx")
        for request in [requests.status(id: "1"), requests.media(id: "1"), requests.verifyCredentials()] {
            #expect(request.method == "GET")
            #expect(request.idempotent)
            #expect(header(request, "Authorization") == "Bearer tok123")
        }
    }

    func response(_ status: Int, _ body: String, headers: [(String, String)] = []) -> PlatformResponse {
        PlatformResponse(status: status, headers: headers, body: Data(body.utf8))
    }

    @Test("429 is rate_limited until X-RateLimit-Reset (ISO 8601)")
    func rateLimited() {
        let error = MastodonErrorClassifier.classify(
            response(
                429,
                #"{"error":"Too many requests"}"#,
                headers: [("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", "2027-01-15T08:00:00.000Z")]
            ),
            now: now
        )
        #expect(error.kind == .rateLimited)
        #expect(error.message == "Too many requests")
        #expect(error.retryAt == ISO8601DateFormatter().date(from: "2027-01-15T08:00:00Z"))
        #expect(error.status == 429)
    }

    @Test("401 and 403 are auth at once (Mastodon tokens have no refresh)")
    func auth() {
        let revoked = MastodonErrorClassifier.classify(response(401, #"{"error":"The access token was revoked"}"#), now: now)
        #expect(revoked == ConnectorError(.auth, "The access token was revoked", status: 401))
        let forbidden = MastodonErrorClassifier.classify(response(403, #"{"error":"Your login is currently disabled"}"#), now: now)
        #expect(forbidden.kind == .auth)
        #expect(forbidden.message == "Your login is currently disabled")
    }

    @Test("422 and other 4xx refuse the content with Mastodon's message; 5xx and 408 are transient")
    func contentAndTransient() {
        let long = MastodonErrorClassifier.classify(response(422, #"{"error":"Validation failed: Text character limit of 500 exceeded"}"#), now: now)
        #expect(long == ConnectorError(.rejectedContent, "Validation failed: Text character limit of 500 exceeded", status: 422))
        #expect(MastodonErrorClassifier.classify(response(404, #"{"error":"Record not found"}"#), now: now).kind == .rejectedContent)
        #expect(MastodonErrorClassifier.classify(response(503, "<html>Service Unavailable</html>"), now: now).kind == .transient)
        #expect(
            MastodonErrorClassifier.classify(response(503, "<html>Service Unavailable</html>"), now: now).message
                == "<html>Service Unavailable</html>"
        )
        #expect(MastodonErrorClassifier.classify(response(408, ""), now: now) == ConnectorError(.transient, "HTTP 408", status: 408))
        let description = MastodonErrorClassifier.classify(
            response(401, #"{"error":"invalid_token","error_description":"The access token is invalid"}"#),
            now: now
        )
        #expect(description.message == "invalid_token: The access token is invalid")
    }

    @Test("A refusal with the budget used up is rate_limited")
    func exhaustedHeaders() {
        let error = MastodonErrorClassifier.classify(
            response(400, #"{"error":"slow down"}"#, headers: [("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", "2027-01-15T08:05:00Z")]),
            now: now
        )
        #expect(error.kind == .rateLimited)
        #expect(error.retryAt == ISO8601DateFormatter().date(from: "2027-01-15T08:05:00Z"))
    }

    @Test("A status links the tracking URL by its href, not a longer URL that starts with it")
    func links() {
        let html =
            #"<p>New: <a href="https://h.example/r/abc?x=1&amp;y=2" rel="nofollow noopener" target="_blank"><span class="invisible">https://</span><span class="">h.example/r/abc?x=1&amp;y=2</span></a></p>"#
        let status = MastodonEntity.Status(id: "1", content: html)
        #expect(status.links(to: "https://h.example/r/abc?x=1&y=2"))
        #expect(!status.links(to: "https://h.example/r/abc?x=1"))
        let longer = MastodonEntity.Status(id: "2", content: #"<p><a href="https://h.example/r/abcd">h.example/r/abcd</a></p>"#)
        #expect(!longer.links(to: "https://h.example/r/abc"))
        #expect(longer.links(to: "https://h.example/r/abcd"))
        #expect(MastodonEntity.Status(id: "3", content: "<p>see https://h.example/r/abc.</p>").links(to: "https://h.example/r/abc"))
        #expect(!MastodonEntity.Status(id: "4", content: "<p>nothing</p>").links(to: ""))
    }
}
