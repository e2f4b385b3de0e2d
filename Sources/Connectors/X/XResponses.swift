import Foundation

/// Reads X API v2 answers and classifies its errors (pure).
public enum XResponses {
    /// X's error body: an HTTP problem (RFC 7807) `{"title", "detail", "type", "status"}`, sometimes with `errors`.
    struct Problem: Decodable {
        struct Item: Decodable { var message: String? }
        var title: String?
        var detail: String?
        var type: String?
        var status: Int?
        var errors: [Item]?
    }

    /// `{"data": {"id", ...}}` of a created post or an uploaded image.
    struct Created: Decodable {
        struct Data: Decodable { var id: String }
        var data: Data
    }

    /// `{"data": {"id", "text", "public_metrics": {...}}}`; a missing post comes back 200 with `errors` and no data.
    struct Tweet: Decodable {
        struct Metrics: Decodable {
            var retweet_count: Int?
            var reply_count: Int?
            var like_count: Int?
            var quote_count: Int?
            var impression_count: Int?
        }
        struct Data: Decodable {
            var id: String
            var public_metrics: Metrics?
        }
        struct Error: Decodable { var detail: String? }
        var data: Data?
        var errors: [Error]?
    }

    /// `{"data": [{"id", "text", "entities": {"urls": [{"url", "expanded_url"}]}}]}` (no `data` when there are none).
    struct Timeline: Decodable {
        struct URLEntity: Decodable {
            var url: String?
            var expanded_url: String?
            var unwound_url: String?
        }
        struct Entities: Decodable { var urls: [URLEntity]? }
        struct Item: Decodable {
            var id: String
            var text: String
            var entities: Entities?
        }
        var data: [Item]?
    }

    /// `{"data": {"id", "username", "public_metrics": {"followers_count"}}}`.
    struct Me: Decodable {
        struct Metrics: Decodable { var followers_count: Int? }
        struct Data: Decodable {
            var id: String
            var username: String
            var public_metrics: Metrics?
        }
        var data: Data
    }

    /// The id X gave a created post or an uploaded image.
    public static func createdID(_ response: PlatformResponse) throws -> String {
        guard let created = try? response.decode(Created.self) else {
            throw ConnectorError(.transient, "X answered \(response.status) without an id: \(response.text())", status: response.status)
        }
        return created.data.id
    }

    /// A post's counts: likes, retweets + quotes as shares, replies, impressions.
    public static func engagement(_ response: PlatformResponse) throws -> EngagementCounts {
        guard let tweet = try? response.decode(Tweet.self) else {
            throw ConnectorError(.transient, "X answered an unreadable post: \(response.text())", status: response.status)
        }
        guard let data = tweet.data else {
            let detail = tweet.errors?.compactMap(\.detail).joined(separator: "; ") ?? "not found"
            throw ConnectorError(.rejectedContent, "X has no such post (deleted?): \(detail)", status: response.status)
        }
        let metrics = data.public_metrics
        return EngagementCounts(
            likes: metrics?.like_count ?? 0,
            shares: (metrics?.retweet_count ?? 0) + (metrics?.quote_count ?? 0),
            comments: metrics?.reply_count ?? 0,
            impressions: metrics?.impression_count
        )
    }

    /// The account behind the token.
    public static func profile(_ response: PlatformResponse) throws -> AccountProfile {
        guard let me = try? response.decode(Me.self) else {
            throw ConnectorError(.transient, "X answered an unreadable user: \(response.text())", status: response.status)
        }
        return AccountProfile(id: me.data.id, handle: me.data.username, followers: me.data.public_metrics?.followers_count)
    }

    /// The first of the account's recent posts carrying `trackingURL` (in its text, or — since X shortens links to
    /// t.co — as an expanded URL of its entities).
    public static func find(trackingURL: String, in response: PlatformResponse) throws -> PostedPost? {
        guard let timeline = try? response.decode(Timeline.self) else {
            throw ConnectorError(.transient, "X answered an unreadable timeline: \(response.text())", status: response.status)
        }
        let match = timeline.data?.first { item in
            item.text.contains(trackingURL)
                || (item.entities?.urls ?? []).contains { $0.expanded_url == trackingURL || $0.unwound_url == trackingURL }
        }
        return match.map { PostedPost(id: $0.id, url: XRequests.webURL(id: $0.id)) }
    }

    /// What a failed X answer means.
    ///
    /// - 429, or no request left in the window (`x-rate-limit-remaining: 0`): rate_limited until `x-rate-limit-reset`.
    /// - 5xx, 408: transient.
    /// - 401; 403 of the kinds that refuse the client (`client-forbidden`, `unsupported-authentication`): auth.
    /// - 403 refusing the post (duplicate content), 400 invalid request, other 4xx: rejected_content with X's message.
    public static func classify(_ response: PlatformResponse, now: Date) -> ConnectorError {
        let limits = RateLimitHeaders(response, now: now)
        let problem = try? response.decode(Problem.self)
        let message = Self.message(problem, response)
        if response.status == 429 || (!response.succeeded && limits.exhausted) {
            return ConnectorError(.rateLimited, message, status: response.status, retryAt: limits.reset)
        }
        if response.status >= 500 || response.status == 408 {
            return ConnectorError(.transient, message, status: response.status)
        }
        if response.status == 401 {
            return ConnectorError(.auth, message, status: 401)
        }
        if response.status == 403, let type = problem?.type, type.hasSuffix("client-forbidden") || type.hasSuffix("unsupported-authentication") {
            return ConnectorError(.auth, message, status: 403)
        }
        return ConnectorError(.rejectedContent, message, status: response.status)
    }

    static func message(_ problem: Problem?, _ response: PlatformResponse) -> String {
        guard let problem else { return response.text().isEmpty ? "HTTP \(response.status)" : response.text() }
        var parts = [problem.detail ?? problem.title ?? "HTTP \(response.status)"]
        parts += (problem.errors ?? []).compactMap(\.message).filter { !parts.contains($0) }
        return parts.joined(separator: "; ")
    }
}
