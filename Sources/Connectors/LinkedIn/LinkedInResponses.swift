import Foundation

/// Reads LinkedIn's answers and classifies its errors (pure).
public enum LinkedInResponses {
    /// LinkedIn's error body `{"status", "serviceErrorCode", "code", "message"}`.
    struct Problem: Decodable {
        var status: Int?
        var serviceErrorCode: Int?
        var code: String?
        var message: String?
    }

    /// `{"value": {"uploadUrl", "image", "uploadUrlExpiresAt"}}`.
    struct InitializedUpload: Decodable {
        struct Value: Decodable {
            var uploadUrl: String
            var image: String
        }
        var value: Value
    }

    /// `{"likesSummary": {"totalLikes"}, "commentsSummary": {"aggregatedTotalComments"}}`.
    struct SocialActions: Decodable {
        struct Likes: Decodable {
            var totalLikes: Int?
            var aggregatedTotalLikes: Int?
        }
        struct Comments: Decodable {
            var aggregatedTotalComments: Int?
            var totalFirstLevelComments: Int?
        }
        var likesSummary: Likes?
        var commentsSummary: Comments?
    }

    /// `{"sub", "name", ...}`.
    struct UserInfo: Decodable {
        var sub: String
        var name: String?
    }

    /// `{"elements": [{"id", "commentary"}]}`.
    struct Posts: Decodable {
        struct Element: Decodable {
            var id: String
            var commentary: String?
        }
        var elements: [Element]
    }

    /// The created post's URN, from the `x-restli-id` header (the body of a 201 is empty).
    public static func createdURN(_ response: PlatformResponse) throws -> String {
        guard let urn = response.header("x-restli-id") ?? response.header("x-linkedin-id"), !urn.isEmpty else {
            throw ConnectorError(.transient, "LinkedIn answered \(response.status) without an x-restli-id header", status: response.status)
        }
        return urn.removingPercentEncoding ?? urn
    }

    /// The upload URL and image URN of an initialized upload.
    public static func initializedUpload(_ response: PlatformResponse) throws -> (uploadURL: String, image: String) {
        guard let answer = try? response.decode(InitializedUpload.self) else {
            throw ConnectorError(.transient, "LinkedIn answered an unreadable image upload: \(response.text())", status: response.status)
        }
        return (answer.value.uploadUrl, answer.value.image)
    }

    /// A post's likes and comments. LinkedIn's social actions give no reshare count, and a member's post impressions
    /// need a restricted analytics permission, so shares are 0 and impressions nil.
    public static func engagement(_ response: PlatformResponse) throws -> EngagementCounts {
        guard let actions = try? response.decode(SocialActions.self) else {
            throw ConnectorError(.transient, "LinkedIn answered unreadable social actions: \(response.text())", status: response.status)
        }
        return EngagementCounts(
            likes: actions.likesSummary?.totalLikes ?? actions.likesSummary?.aggregatedTotalLikes ?? 0,
            shares: 0,
            comments: actions.commentsSummary?.aggregatedTotalComments ?? actions.commentsSummary?.totalFirstLevelComments ?? 0,
            impressions: nil
        )
    }

    /// The member behind the token: `urn:li:person:<sub>`.
    public static func profile(_ response: PlatformResponse) throws -> AccountProfile {
        guard let info = try? response.decode(UserInfo.self) else {
            throw ConnectorError(.transient, "LinkedIn answered unreadable user info: \(response.text())", status: response.status)
        }
        return AccountProfile(id: LinkedInRequests.personURN(sub: info.sub), handle: info.name ?? info.sub)
    }

    /// The first of the author's recent posts whose commentary carries `trackingURL` (as sent, or little-text escaped).
    public static func find(trackingURL: String, in response: PlatformResponse) throws -> PostedPost? {
        guard let posts = try? response.decode(Posts.self) else {
            throw ConnectorError(.transient, "LinkedIn answered unreadable posts: \(response.text())", status: response.status)
        }
        let escaped = LinkedInRequests.littleText(trackingURL)
        let match = posts.elements.first { ($0.commentary ?? "").contains(trackingURL) || ($0.commentary ?? "").contains(escaped) }
        return match.map { PostedPost(id: $0.id, url: LinkedInRequests.webURL(urn: $0.id)) }
    }

    /// Whether the answer refuses the pinned API version (426 `NONEXISTENT_VERSION`, 400 `VERSION_MISSING`, or a
    /// message saying the requested version is not active).
    static func isVersionError(_ problem: Problem?, status: Int) -> Bool {
        let code = problem?.code ?? ""
        let message = (problem?.message ?? "").lowercased()
        return status == 426 || code == "NONEXISTENT_VERSION" || code == "VERSION_MISSING"
            || (message.contains("version") && message.contains("not active"))
    }

    /// What a failed LinkedIn answer means.
    ///
    /// - 429: rate_limited (LinkedIn sends no reset header; `Retry-After` when present).
    /// - 5xx, 408: transient.
    /// - 401, and 403 (`ACCESS_DENIED`: the token lacks a scope such as `w_member_social`): auth.
    /// - A refused API version (426 `NONEXISTENT_VERSION`): rejected_content with LinkedIn's message and a note to update
    ///   the pinned ``LinkedInRequests/version`` — a configuration problem that no retry and no reconnect fixes, and
    ///   that must not pass silently.
    /// - 400 and 422 (validation, duplicate) and other 4xx: rejected_content with LinkedIn's message.
    public static func classify(_ response: PlatformResponse, now: Date) -> ConnectorError {
        let problem = try? response.decode(Problem.self)
        let message = problem?.message ?? (response.text().isEmpty ? "HTTP \(response.status)" : response.text())
        if response.status == 429 {
            return ConnectorError(.rateLimited, message, status: 429, retryAt: RateLimitHeaders(response, now: now).reset)
        }
        if response.status >= 500 || response.status == 408 {
            return ConnectorError(.transient, message, status: response.status)
        }
        if isVersionError(problem, status: response.status) {
            return ConnectorError(
                .rejectedContent,
                "\(message) (Herald pins LinkedIn-Version \(LinkedInRequests.version) in LinkedInRequests.version: update it to an active version)",
                status: response.status
            )
        }
        if response.status == 401 || response.status == 403 {
            return ConnectorError(.auth, message, status: response.status)
        }
        return ConnectorError(.rejectedContent, message, status: response.status)
    }
}
