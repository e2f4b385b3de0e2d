import Foundation

/// Builds the XRPC requests the Bluesky connector sends to a PDS (`<baseURL>/xrpc/<nsid>`), as the lexicons in
/// bluesky-social/atproto (`lexicons/com/atproto/…`, `lexicons/app/bsky/…`) and docs.bsky.app "Posts"
/// (advanced-guides/posts) describe them. Pure: no I/O.
public struct BlueskyAPI: Sendable {
    /// The PDS, without a trailing slash (`https://bsky.social`).
    public var baseURL: String

    /// The collection posts are written to.
    public static let postCollection = "app.bsky.feed.post"

    public init(baseURL: String) {
        var url = baseURL
        while url.hasSuffix("/") { url.removeLast() }
        self.baseURL = url
    }

    /// `com.atproto.server.createSession` with the account's handle (or DID) and app password.
    public func createSession(identifier: String, password: String) throws -> PlatformRequest {
        try .json("POST", url("com.atproto.server.createSession"), body: ["identifier": identifier, "password": password], idempotent: true)
    }

    /// `com.atproto.server.refreshSession`, authorized with the refresh token (`refreshJwt`).
    public func refreshSession(refreshJwt: String) -> PlatformRequest {
        PlatformRequest(method: "POST", url: url("com.atproto.server.refreshSession"), headers: [bearer(refreshJwt)], idempotent: true)
    }

    /// `com.atproto.server.getSession`: who the access token belongs to.
    public func getSession(accessJwt: String) -> PlatformRequest {
        PlatformRequest(method: "GET", url: url("com.atproto.server.getSession"), headers: [bearer(accessJwt)])
    }

    /// `com.atproto.identity.resolveHandle?handle=`: a handle's DID.
    public func resolveHandle(_ handle: String) -> PlatformRequest {
        PlatformRequest(method: "GET", url: url("com.atproto.identity.resolveHandle", query: [("handle", handle)]))
    }

    /// `com.atproto.repo.uploadBlob`: the image's raw bytes with its own `Content-Type`. Blobs are content-addressed,
    /// so sending one twice is harmless.
    public func uploadBlob(_ data: Data, mimeType: String, accessJwt: String) -> PlatformRequest {
        PlatformRequest(
            method: "POST",
            url: url("com.atproto.repo.uploadBlob"),
            headers: [bearer(accessJwt), ("Content-Type", mimeType)],
            body: data,
            idempotent: true
        )
    }

    /// `com.atproto.repo.createRecord` of an `app.bsky.feed.post` under `rkey`. Not idempotent as far as the wire is
    /// concerned (a repeat fails instead of answering the first record), so a timeout is an unknown outcome.
    public func createRecord(repo: String, rkey: RecordKey, record: BlueskyPostRecord, accessJwt: String) throws -> PlatformRequest {
        try .json(
            "POST",
            url("com.atproto.repo.createRecord"),
            headers: [bearer(accessJwt)],
            body: CreateRecordInput(repo: repo, collection: Self.postCollection, rkey: rkey.rawValue, record: record),
            idempotent: false
        )
    }

    /// `com.atproto.repo.getRecord?repo=&collection=app.bsky.feed.post&rkey=` (public, no auth).
    public func getRecord(repo: String, rkey: RecordKey) -> PlatformRequest {
        PlatformRequest(
            method: "GET",
            url: url("com.atproto.repo.getRecord", query: [("repo", repo), ("collection", Self.postCollection), ("rkey", rkey.rawValue)])
        )
    }

    /// `app.bsky.feed.getPosts?uris=…` (proxied by the PDS to the AppView): posts with their counts.
    public func getPosts(uris: [String], accessJwt: String) -> PlatformRequest {
        PlatformRequest(method: "GET", url: url("app.bsky.feed.getPosts", query: uris.map { ("uris", $0) }), headers: [bearer(accessJwt)])
    }

    /// `app.bsky.actor.getProfile?actor=` (proxied by the PDS to the AppView): the account's profile and followers.
    public func getProfile(actor: String, accessJwt: String) -> PlatformRequest {
        PlatformRequest(method: "GET", url: url("app.bsky.actor.getProfile", query: [("actor", actor)]), headers: [bearer(accessJwt)])
    }

    /// Where a person sees a post: `https://bsky.app/profile/<did>/post/<rkey>`.
    public static func webURL(forPost uri: String) -> String? {
        // at://<did>/app.bsky.feed.post/<rkey>
        guard uri.hasPrefix("at://") else { return nil }
        let parts = uri.dropFirst(5).split(separator: "/")
        guard parts.count == 3, parts[1] == postCollection else { return nil }
        return "https://bsky.app/profile/\(parts[0])/post/\(parts[2])"
    }

    // MARK: - Helpers

    func url(_ nsid: String, query: [(String, String)] = []) -> String {
        let base = "\(baseURL)/xrpc/\(nsid)"
        guard !query.isEmpty else { return base }
        return base + "?" + query.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
    }

    func bearer(_ token: String) -> (String, String) {
        ("Authorization", "Bearer \(token)")
    }

    static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    static func encode(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value
    }

    /// The input of `com.atproto.repo.createRecord`.
    struct CreateRecordInput: Encodable {
        var repo: String
        var collection: String
        var rkey: String
        var record: BlueskyPostRecord
    }
}
