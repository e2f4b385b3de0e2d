import Connectors
import Foundation
import PropertyBased
import Testing

@Suite("Bluesky record keys, XRPC errors and requests")
struct BlueskyAPITests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("the record key is a valid TID, the same for the same idempotency key")
    func recordKey() {
        let key = RecordKey(idempotencyKey: "publication-1")
        #expect(key.rawValue.count == 13)
        #expect(RecordKey.isValidTID(key.rawValue))
        #expect(key == RecordKey(idempotencyKey: "publication-1"))
        #expect(key != RecordKey(idempotencyKey: "publication-2"))
        #expect(RecordKey(value: 0).rawValue == "2222222222222")
        #expect(RecordKey(value: UInt64.max >> 1).rawValue == "bzzzzzzzzzzzz")
        #expect(RecordKey.isValidTID("3jzfcijpj2z2a"))
        #expect(!RecordKey.isValidTID("kjzfcijpj2z2a"))
        #expect(!RecordKey.isValidTID("3jzfcijpj2z2"))
        #expect(!RecordKey.isValidTID("3jzfcijpj2z21"))
    }

    @Test("any idempotency key gives a valid TID")
    func propertyRecordKeys() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...Int.max)) { seed in
            let key = RecordKey(idempotencyKey: "pub-\(seed)")
            #expect(RecordKey.isValidTID(key.rawValue), "\(key)")
        }
    }

    @Test("XRPC errors are classified as the delivery state machine needs them")
    func classification() {
        func response(_ status: Int, _ error: String?, _ message: String?, _ headers: [(String, String)] = []) -> PlatformResponse {
            var body: [String: String] = [:]
            body["error"] = error
            body["message"] = message
            return PlatformResponse(status: status, headers: headers, body: try! JSONEncoder().encode(body))
        }
        let expired = response(400, "ExpiredToken", "Token has expired")
        #expect(XRPCError.classify(expired, now: now).kind == .auth)
        #expect(XRPCError.refusesSession(expired))
        #expect(XRPCError.refusesSession(response(400, "InvalidToken", "Token could not be verified")))
        #expect(XRPCError.refusesSession(response(401, "AuthenticationRequired", "Invalid identifier or password")))
        #expect(!XRPCError.refusesSession(response(401, "AccountTakedown", "Account has been taken down")))
        #expect(XRPCError.classify(response(401, "AccountTakedown", "Account has been taken down"), now: now).kind == .auth)

        let limited = XRPCError.classify(
            response(429, "RateLimitExceeded", "Rate Limit Exceeded", [("RateLimit-Remaining", "0"), ("RateLimit-Reset", "1800000300")]),
            now: now
        )
        #expect(limited.kind == .rateLimited)
        #expect(limited.retryAt == now.addingTimeInterval(300))

        #expect(XRPCError.classify(response(502, nil, nil), now: now).kind == .transient)
        #expect(XRPCError.classify(response(500, "InternalServerError", "Internal Server Error"), now: now).kind == .transient)
        let invalid = XRPCError.classify(
            response(400, "InvalidRequest", "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes"),
            now: now
        )
        #expect(
            invalid
                == ConnectorError(
                    .rejectedContent,
                    "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes",
                    status: 400
                )
        )
        #expect(XRPCError.classify(response(413, "PayloadTooLarge", "request entity too large"), now: now).kind == .rejectedContent)
        #expect(XRPCError.classify(PlatformResponse(status: 400, body: Data("not json".utf8)), now: now).message == "not json")
    }

    @Test("createRecord carries the repo, the collection, the record key and the record with facets and images")
    func createRecordRequest() throws {
        let api = BlueskyAPI(baseURL: "https://pds.example/")
        let blob = BlueskyBlob(cid: "bafkreiabc", mimeType: "image/png", size: 3)
        let record = BlueskyPostRecord(
            text: "hi #tag",
            createdAt: now,
            facets: [BlueskyFacet(byteStart: 3, byteEnd: 7, features: [.tag("tag")])],
            images: [.init(image: blob, alt: "a shoe")]
        )
        let key = RecordKey(idempotencyKey: "p")
        let request = try api.createRecord(repo: "herald.test", rkey: key, record: record, accessJwt: "token")
        #expect(request.url == "https://pds.example/xrpc/com.atproto.repo.createRecord")
        #expect(request.method == "POST")
        #expect(!request.idempotent)
        #expect(request.headers.contains { $0 == ("Authorization", "Bearer token") })
        let body = try #require(try JSONSerialization.jsonObject(with: request.body ?? Data()) as? [String: Any])
        #expect(body["repo"] as? String == "herald.test")
        #expect(body["collection"] as? String == "app.bsky.feed.post")
        #expect(body["rkey"] as? String == key.rawValue)
        let post = try #require(body["record"] as? [String: Any])
        #expect(post["$type"] as? String == "app.bsky.feed.post")
        #expect(post["createdAt"] as? String == "2027-01-15T08:00:00.000Z")
        let embed = try #require(post["embed"] as? [String: Any])
        #expect(embed["$type"] as? String == "app.bsky.embed.images")
        let image = try #require((embed["images"] as? [[String: Any]])?.first)
        #expect(image["alt"] as? String == "a shoe")
        let ref = try #require(image["image"] as? [String: Any])
        #expect(ref["$type"] as? String == "blob")
        #expect((ref["ref"] as? [String: String])?["$link"] == "bafkreiabc")
        #expect((post["facets"] as? [[String: Any]])?.count == 1)
    }

    @Test("queries escape their parameters; uploads carry the image's type; sessions use the right token")
    func otherRequests() throws {
        let api = BlueskyAPI(baseURL: "https://pds.example")
        let uri = "at://did:plc:abc/app.bsky.feed.post/3jzfcijpj2z2a"
        #expect(
            api.getPosts(uris: [uri], accessJwt: "a").url
                == "https://pds.example/xrpc/app.bsky.feed.getPosts?uris=at%3A%2F%2Fdid%3Aplc%3Aabc%2Fapp.bsky.feed.post%2F3jzfcijpj2z2a"
        )
        #expect(
            api.getRecord(repo: "herald.test", rkey: RecordKey(value: 0)).url
                == "https://pds.example/xrpc/com.atproto.repo.getRecord?repo=herald.test&collection=app.bsky.feed.post&rkey=2222222222222"
        )
        let upload = api.uploadBlob(Data([1, 2, 3]), mimeType: "image/jpeg", accessJwt: "a")
        #expect(upload.headers.contains { $0 == ("Content-Type", "image/jpeg") })
        #expect(upload.body == Data([1, 2, 3]))
        #expect(api.refreshSession(refreshJwt: "r").headers.contains { $0 == ("Authorization", "Bearer r") })
        let session = try api.createSession(identifier: "herald.test", password: "app-pass")
        #expect(String(decoding: session.body ?? Data(), as: UTF8.self) == #"{"identifier":"herald.test","password":"app-pass"}"#)
        #expect(BlueskyAPI.webURL(forPost: uri) == "https://bsky.app/profile/did:plc:abc/post/3jzfcijpj2z2a")
    }
}
