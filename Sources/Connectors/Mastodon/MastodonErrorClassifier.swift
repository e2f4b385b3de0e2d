import Foundation

/// Classifies Mastodon's failed answers (pure), from its documented error body `{"error": "..."}` and its rate-limit headers
/// (docs.joinmastodon.org `entities/Error`, `api/rate-limits`).
///
/// - 429, or a refusal with `X-RateLimit-Remaining: 0`: rate_limited until `X-RateLimit-Reset` (an ISO 8601 time).
/// - 401 ("The access token is invalid", "… was revoked") and 403: auth. Mastodon's tokens from the authorization-code flow
///   do not expire and have no refresh, so there is nothing to try before asking for a reconnect.
/// - 5xx and 408: transient.
/// - Other 4xx (422 "Validation failed: Text character limit of 500 exceeded", 400, 404 "Record not found"): rejected_content
///   with Mastodon's own message.
public enum MastodonErrorClassifier {
    /// What a failed answer means.
    public static func classify(_ response: PlatformResponse, now: Date) -> ConnectorError {
        let message = Self.message(response)
        let limits = RateLimitHeaders(response, now: now)
        switch response.status {
        case 429:
            return ConnectorError(.rateLimited, message, status: 429, retryAt: limits.reset)
        case 401, 403:
            return ConnectorError(.auth, message, status: response.status)
        case 408, 500...599:
            return ConnectorError(.transient, message, status: response.status)
        case _ where limits.exhausted:
            return ConnectorError(.rateLimited, message, status: response.status, retryAt: limits.reset)
        case 400...499:
            return ConnectorError(.rejectedContent, message, status: response.status)
        default:
            return ConnectorError(.transient, "unexpected answer from Mastodon: \(message)", status: response.status)
        }
    }

    /// Mastodon's own message: `error` (with `error_description` when given), else the body's text, else the status.
    public static func message(_ response: PlatformResponse) -> String {
        if let body = try? response.decode(MastodonEntity.Error.self), !body.error.isEmpty {
            if let description = body.errorDescription, !description.isEmpty, description != body.error {
                return "\(body.error): \(description)"
            }
            return body.error
        }
        let text = response.text(limit: 300).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "HTTP \(response.status)" : text
    }
}
