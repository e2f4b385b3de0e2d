import Foundation

/// Builds the requests of Mastodon's REST API that Herald uses, for one account on one instance (pure: no I/O).
///
/// Follows docs.joinmastodon.org: `methods/statuses` (post a status with `Idempotency-Key`, view a status), `methods/media`
/// (`POST /api/v2/media`, `GET /api/v1/media/:id`), `methods/accounts` (`verify_credentials`, an account's statuses).
/// Every request carries `Authorization: Bearer <token>`.
public struct MastodonRequests: Sendable {
    /// The instance, without a trailing slash (`https://mastodon.social`).
    public var baseURL: String
    public var accessToken: String

    public init(baseURL: String, accessToken: String) {
        var base = baseURL.trimmingCharacters(in: .whitespaces)
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.accessToken = accessToken
    }

    /// The visibilities a status can have.
    public enum Visibility: String, Sendable, Codable { case `public`, unlisted, `private`, direct }

    /// `POST /api/v1/statuses` with a JSON body (`status`, `media_ids`, `visibility`) and the `Idempotency-Key` header.
    ///
    /// Not marked idempotent although Mastodon de-duplicates by the key: it keeps keys for up to an hour only, and a retry
    /// may come later, so a timeout after sending is an unknown outcome to reconcile.
    public func postStatus(text: String, mediaIDs: [String] = [], visibility: Visibility = .public, idempotencyKey: String) throws -> PlatformRequest
    {
        try .json(
            "POST",
            url("/api/v1/statuses"),
            headers: authorization + [("Idempotency-Key", idempotencyKey)],
            body: StatusBody(status: text, mediaIDs: mediaIDs.isEmpty ? nil : mediaIDs, visibility: visibility),
            idempotent: false
        )
    }

    /// `POST /api/v2/media`: the image as the multipart `file` part and its alt text as `description`.
    ///
    /// Marked idempotent: an upload that is sent twice leaves an unattached attachment, which Mastodon discards, and no post.
    public func uploadMedia(_ attachment: MediaAttachment, boundary: String) -> PlatformRequest {
        var form = MastodonMultipart(boundary: boundary)
        form.addFile(name: "file", fileName: Self.fileName(for: attachment.mimeType), mimeType: attachment.mimeType, data: attachment.data)
        form.addField(name: "description", value: attachment.altText)
        return PlatformRequest(
            method: "POST",
            url: url("/api/v2/media"),
            headers: authorization + [("Content-Type", form.contentType)],
            body: form.body,
            idempotent: true
        )
    }

    /// `GET /api/v1/media/:id`: whether an uploaded attachment has finished processing (206 while it has not).
    public func media(id: String) -> PlatformRequest {
        PlatformRequest(method: "GET", url: url("/api/v1/media/\(Self.segment(id))"), headers: authorization)
    }

    /// `GET /api/v1/statuses/:id`: a status with its counts.
    public func status(id: String) -> PlatformRequest {
        PlatformRequest(method: "GET", url: url("/api/v1/statuses/\(Self.segment(id))"), headers: authorization)
    }

    /// `GET /api/v1/accounts/verify_credentials`: the token's account.
    public func verifyCredentials() -> PlatformRequest {
        PlatformRequest(method: "GET", url: url("/api/v1/accounts/verify_credentials"), headers: authorization)
    }

    /// `GET /api/v1/accounts/:id/statuses?limit=N`: an account's recent statuses, newest first (Mastodon allows at most 40).
    public func accountStatuses(accountID: String, limit: Int = 40) -> PlatformRequest {
        let limit = min(max(limit, 1), 40)
        return PlatformRequest(method: "GET", url: url("/api/v1/accounts/\(Self.segment(accountID))/statuses?limit=\(limit)"), headers: authorization)
    }

    var authorization: [(String, String)] { [("Authorization", "Bearer \(accessToken)")] }

    func url(_ path: String) -> String { baseURL + path }

    /// An id as one path segment.
    static func segment(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? id
    }

    /// A file name Mastodon can read the type from.
    static func fileName(for mimeType: String) -> String {
        switch mimeType.lowercased() {
        case "image/jpeg", "image/jpg": "image.jpg"
        case "image/gif": "image.gif"
        case "image/webp": "image.webp"
        case "image/png": "image.png"
        default: "image"
        }
    }

    struct StatusBody: Encodable {
        var status: String
        var mediaIDs: [String]?
        var visibility: Visibility

        enum CodingKeys: String, CodingKey {
            case status
            case mediaIDs = "media_ids"
            case visibility
        }
    }
}
