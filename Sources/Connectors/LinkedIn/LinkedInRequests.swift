import Foundation

/// Builds the LinkedIn API requests Herald makes (pure).
///
/// Follows https://learn.microsoft.com/linkedin/marketing/community-management/shares/posts-api (`POST /rest/posts`,
/// the post's URN in the `x-restli-id` header; `GET /rest/posts?q=author`), .../shares/images-api
/// (`POST /rest/images?action=initializeUpload`, then `PUT` the bytes to `uploadUrl`),
/// .../shares/network-update-social-actions (`GET /rest/socialActions/{urn}`),
/// https://learn.microsoft.com/linkedin/consumer/integrations/self-serve/sign-in-with-linkedin-v2 (`GET /v2/userinfo`),
/// and https://learn.microsoft.com/linkedin/marketing/versioning (the `LinkedIn-Version` header).
public enum LinkedInRequests {
    /// The one place the LinkedIn API version is pinned (`YYYYMM`). LinkedIn serves each version for about a year and
    /// then answers 426 `NONEXISTENT_VERSION` "Requested version … is not active": bump this (and check the migration
    /// notes of the versions in between) when that happens.
    public static let version = "202605"

    /// How many of the author's recent posts a reconciliation reads.
    public static let lookUpWindow = 20

    /// The headers every versioned (`/rest`) request carries.
    static func headers(_ token: String) -> [(String, String)] {
        [("Authorization", "Bearer \(token)"), ("LinkedIn-Version", version), ("X-Restli-Protocol-Version", "2.0.0")]
    }

    /// An image already uploaded, as a post refers to it.
    public struct Image: Sendable, Equatable {
        /// `urn:li:image:…`.
        public var urn: String
        public var altText: String

        public init(urn: String, altText: String) {
            self.urn = urn
            self.altText = altText
        }
    }

    /// `POST /rest/posts`: a public main-feed post by `author` (`urn:li:person:…`), with an image when given. Not
    /// idempotent: LinkedIn has no idempotency key.
    public static func createPost(baseURL: String, token: String, author: String, text: String, image: Image?) throws -> PlatformRequest {
        let body = CreatePost(
            author: author,
            commentary: littleText(text),
            visibility: "PUBLIC",
            distribution: .init(feedDistribution: "MAIN_FEED", targetEntities: [], thirdPartyDistributionChannels: []),
            content: image.map { .init(media: .init(id: $0.urn, altText: $0.altText)) },
            lifecycleState: "PUBLISHED",
            isReshareDisabledByAuthor: false
        )
        return try .json("POST", url(baseURL, "/rest/posts"), headers: headers(token), body: body, idempotent: false)
    }

    /// `POST /rest/images?action=initializeUpload` `{"initializeUploadRequest": {"owner"}}`. An unused upload is
    /// harmless, so it counts as idempotent.
    public static func initializeImageUpload(baseURL: String, token: String, owner: String) throws -> PlatformRequest {
        try .json(
            "POST",
            url(baseURL, "/rest/images?action=initializeUpload"),
            headers: headers(token),
            body: InitializeUpload(initializeUploadRequest: .init(owner: owner)),
            idempotent: true
        )
    }

    /// `PUT <uploadUrl>` with the image's bytes.
    public static func uploadImage(uploadURL: String, token: String, media: MediaAttachment) -> PlatformRequest {
        PlatformRequest(
            method: "PUT",
            url: uploadURL,
            headers: [("Authorization", "Bearer \(token)"), ("Content-Type", media.mimeType)],
            body: media.data,
            idempotent: true
        )
    }

    /// `GET /rest/socialActions/{urn}`: likes and comments of a post.
    public static func socialActions(baseURL: String, token: String, urn: String) -> PlatformRequest {
        PlatformRequest(method: "GET", url: url(baseURL, "/rest/socialActions/\(encoded(urn))"), headers: headers(token))
    }

    /// `GET /v2/userinfo` (OpenID Connect; unversioned): `sub` is the member's id.
    public static func userInfo(baseURL: String, token: String) -> PlatformRequest {
        PlatformRequest(method: "GET", url: url(baseURL, "/v2/userinfo"), headers: [("Authorization", "Bearer \(token)")])
    }

    /// `GET /rest/posts?author={urn}&q=author&count=20`: the author's recent posts.
    public static func recentPosts(baseURL: String, token: String, author: String) -> PlatformRequest {
        PlatformRequest(
            method: "GET",
            url: url(baseURL, "/rest/posts?author=\(encoded(author))&q=author&count=\(lookUpWindow)&sortBy=LAST_MODIFIED"),
            headers: headers(token)
        )
    }

    /// Where a person sees the post.
    public static func webURL(urn: String) -> String {
        "https://www.linkedin.com/feed/update/\(urn)/"
    }

    /// A member's author URN from the OpenID `sub`.
    public static func personURN(sub: String) -> String {
        sub.hasPrefix("urn:li:") ? sub : "urn:li:person:\(sub)"
    }

    /// The characters LinkedIn's "little text" format of `commentary` reserves.
    static let reserved: Set<Character> = ["\\", "|", "{", "}", "@", "[", "]", "(", ")", "<", ">", "#", "*", "_", "~"]

    /// `text` as `commentary`: reserved characters backslash-escaped, so they show as typed rather than being read as
    /// little-text markup (an unescaped `(` or `_` can cut the post short).
    public static func littleText(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if reserved.contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }

    /// A URN in a path or query (Rest.li 2.0: URL-encoded).
    static func encoded(_ urn: String) -> String {
        urn.addingPercentEncoding(
            withAllowedCharacters: CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        ) ?? urn
    }

    static func url(_ base: String, _ path: String) -> String {
        (base.hasSuffix("/") ? String(base.dropLast()) : base) + path
    }

    struct CreatePost: Encodable {
        struct Distribution: Encodable {
            var feedDistribution: String
            var targetEntities: [String]
            var thirdPartyDistributionChannels: [String]
        }
        struct Content: Encodable {
            struct Media: Encodable {
                var id: String
                var altText: String
            }
            var media: Media
        }
        var author: String
        var commentary: String
        var visibility: String
        var distribution: Distribution
        var content: Content?
        var lifecycleState: String
        var isReshareDisabledByAuthor: Bool
    }

    struct InitializeUpload: Encodable {
        struct Request: Encodable { var owner: String }
        var initializeUploadRequest: Request
    }
}
