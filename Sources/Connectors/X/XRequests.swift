import Foundation

/// Builds the X API v2 requests Herald makes (pure; every request carries the OAuth 2.0 user token as a bearer).
///
/// Follows https://docs.x.com/x-api/posts/create-post (`POST /2/tweets`), https://docs.x.com/x-api/media/upload-media
/// (`POST /2/media/upload`), https://docs.x.com/x-api/media/create-media-metadata (`POST /2/media/metadata`),
/// https://docs.x.com/x-api/posts/post-lookup-by-post-id (`GET /2/tweets/:id`),
/// https://docs.x.com/x-api/users/user-lookup-me (`GET /2/users/me`) and
/// https://docs.x.com/x-api/users/get-posts (`GET /2/users/:id/tweets`).
public enum XRequests {
    /// How many of the account's recent posts a reconciliation reads.
    public static let lookUpWindow = 20

    /// `POST /2/tweets` `{"text", "media": {"media_ids"}}`. Not idempotent: X has no idempotency key.
    public static func createTweet(baseURL: String, token: String, text: String, mediaIDs: [String]) throws -> PlatformRequest {
        try .json(
            "POST",
            url(baseURL, "/2/tweets"),
            headers: bearer(token),
            body: CreateTweet(text: text, media: mediaIDs.isEmpty ? nil : .init(media_ids: mediaIDs)),
            idempotent: false
        )
    }

    /// `POST /2/media/upload` `{"media": <base64>, "media_category": "tweet_image", "media_type"}`. Uploading twice only
    /// leaves an unused media id behind, so it counts as idempotent (a timeout is transient).
    public static func uploadMedia(baseURL: String, token: String, media: MediaAttachment) throws -> PlatformRequest {
        let body = UploadMedia(media: media.data.base64EncodedString(), media_category: "tweet_image", media_type: media.mimeType)
        return try .json("POST", url(baseURL, "/2/media/upload"), headers: bearer(token), body: body, idempotent: true)
    }

    /// `POST /2/media/metadata` `{"id", "metadata": {"alt_text": {"text"}}}`: the image's alt text.
    public static func mediaMetadata(baseURL: String, token: String, mediaID: String, altText: String) throws -> PlatformRequest {
        let body = MediaMetadata(id: mediaID, metadata: .init(alt_text: .init(text: altText)))
        return try .json("POST", url(baseURL, "/2/media/metadata"), headers: bearer(token), body: body, idempotent: true)
    }

    /// `GET /2/tweets/:id?tweet.fields=public_metrics`.
    public static func tweet(baseURL: String, token: String, id: String) -> PlatformRequest {
        PlatformRequest(method: "GET", url: url(baseURL, "/2/tweets/\(escaped(id))?tweet.fields=public_metrics"), headers: bearer(token))
    }

    /// `GET /2/users/me?user.fields=public_metrics`.
    public static func me(baseURL: String, token: String) -> PlatformRequest {
        PlatformRequest(method: "GET", url: url(baseURL, "/2/users/me?user.fields=public_metrics"), headers: bearer(token))
    }

    /// `GET /2/users/:id/tweets?max_results=20&tweet.fields=entities,created_at`: the account's recent posts.
    public static func recentTweets(baseURL: String, token: String, userID: String) -> PlatformRequest {
        PlatformRequest(
            method: "GET",
            url: url(baseURL, "/2/users/\(escaped(userID))/tweets?max_results=\(lookUpWindow)&tweet.fields=entities,created_at"),
            headers: bearer(token)
        )
    }

    /// The web address of a post (X serves any user's post under `/i/web/status/:id`).
    public static func webURL(id: String) -> String {
        "https://x.com/i/web/status/\(id)"
    }

    static func bearer(_ token: String) -> [(String, String)] {
        [("Authorization", "Bearer \(token)")]
    }

    static func url(_ base: String, _ path: String) -> String {
        (base.hasSuffix("/") ? String(base.dropLast()) : base) + path
    }

    static func escaped(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? segment
    }

    struct CreateTweet: Encodable {
        struct Media: Encodable { var media_ids: [String] }
        var text: String
        var media: Media?
    }

    struct UploadMedia: Encodable {
        var media: String
        var media_category: String
        var media_type: String
    }

    struct MediaMetadata: Encodable {
        struct Metadata: Encodable {
            struct AltText: Encodable { var text: String }
            var alt_text: AltText
        }
        var id: String
        var metadata: Metadata
    }
}
