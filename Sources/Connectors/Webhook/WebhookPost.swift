import Foundation
import HeraldCore

/// What a webhook receives for one publication, and how its answer is read. Pure: no I/O.
///
/// The body is JSON, signed like Herald's report webhooks (``WebhookSignature``: `Herald-Signature: v1=<hex>` over
/// `"<Herald-Timestamp>.<body>"`), with the publication's idempotency key in `Idempotency-Key` (and
/// `Herald-Delivery`), the same on every retry: a receiver keeps the first delivery of a key and answers a repeat with
/// the same answer. A JSON answer with an `id` (string or number), and optionally a `url`, names the post.
public enum WebhookPost {
    /// The JSON body: `{"type": "publication", "id", "campaign", "variant", "channel", "text", "tracking_url",
    /// "scheduled_at", "media": [{"mime_type", "alt_text", "data_base64"}]}`.
    struct Body: Encodable {
        var type = "publication"
        var id: String
        var campaign: String
        var variant: String
        var channel: String
        var text: String
        var trackingURL: String
        var scheduledAt: Date
        var media: [Media]

        struct Media: Encodable {
            var mimeType: String
            var altText: String
            var dataBase64: String
            enum CodingKeys: String, CodingKey {
                case mimeType = "mime_type"
                case altText = "alt_text"
                case dataBase64 = "data_base64"
            }
        }

        enum CodingKeys: String, CodingKey {
            case type, id, campaign, variant, channel, text, media
            case trackingURL = "tracking_url"
            case scheduledAt = "scheduled_at"
        }
    }

    /// The signed request for `post` to `url`, sent at `timestamp` (unix seconds).
    public static func request(
        _ post: OutgoingPost,
        idempotencyKey: String,
        url: String,
        secret: String?,
        timestamp: Int
    ) throws -> PlatformRequest {
        let body = Body(
            id: post.publication.uuidString.lowercased(),
            campaign: post.campaign,
            variant: post.variant,
            channel: post.channel.rawValue,
            text: post.text,
            trackingURL: post.trackingURL,
            scheduledAt: post.scheduledAt,
            media: post.media.map { Body.Media(mimeType: $0.mimeType, altText: $0.altText, dataBase64: $0.data.base64EncodedString()) }
        )
        return try signed(body, idempotencyKey: idempotencyKey, url: url, secret: secret, timestamp: timestamp)
    }

    /// A signed `{"type": "ping"}` request: what checking a webhook account sends.
    public static func ping(url: String, secret: String?, timestamp: Int) throws -> PlatformRequest {
        struct Ping: Encodable { var type = "ping" }
        return try signed(Ping(), idempotencyKey: "ping-\(timestamp)", url: url, secret: secret, timestamp: timestamp)
    }

    static func signed(_ body: some Encodable, idempotencyKey: String, url: String, secret: String?, timestamp: Int) throws -> PlatformRequest {
        var request = try PlatformRequest.json("POST", url, body: body)
        let text = String(decoding: request.body ?? Data(), as: UTF8.self)
        request.headers += [
            ("User-Agent", "Herald-Webhook/1"), ("Idempotency-Key", idempotencyKey), ("Herald-Delivery", idempotencyKey),
            ("Herald-Timestamp", String(timestamp)),
        ]
        if let secret { request.headers.append(("Herald-Signature", WebhookSignature.sign(body: text, timestamp: timestamp, secret: secret))) }
        return request
    }

    /// The post a 2xx answer names: its `id` and `url` when the body is JSON that has them; an empty id otherwise.
    public static func posted(_ response: PlatformResponse) -> PostedPost {
        guard let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any] else { return PostedPost(id: "") }
        let id: String
        switch object["id"] {
        case let text as String: id = text
        case let number as NSNumber: id = number.stringValue
        default: id = ""
        }
        return PostedPost(id: id, url: object["url"] as? String)
    }

    /// What a refusal means: 429 waits for `Retry-After`; 5xx and 408 are transient; 401 and 403 (a refused signature)
    /// and 404 and 410 (the endpoint is gone) need the account reconnected; other 4xx refuse the content.
    public static func classify(_ response: PlatformResponse, now: Date) -> ConnectorError {
        let message = "webhook answered \(response.status): \(response.text(limit: 300))"
        switch response.status {
        case 429:
            return ConnectorError(.rateLimited, message, status: 429, retryAt: RateLimitHeaders(response, now: now).reset)
        case 408, 500...599:
            return ConnectorError(.transient, message, status: response.status)
        case 401, 403, 404, 410:
            return ConnectorError(.auth, message, status: response.status)
        default:
            return ConnectorError(.rejectedContent, message, status: response.status)
        }
    }
}
