import Foundation

/// An AT Protocol XRPC error body (atproto.com/specs/xrpc "Error Responses"): `{"error": "ExpiredToken", "message":
/// "Token has expired"}`, and what it means for a publication.
///
/// The reference PDS answers an expired or unverifiable access token with **400** `ExpiredToken` / `InvalidToken`
/// (the AppView with 401), a missing or refused login with 401 `AuthenticationRequired` / `AuthMissing`, a revoked
/// refresh token with 400 `ExpiredToken` "Token has been revoked", a used-up rate limit with 429
/// `RateLimitExceeded` and `RateLimit-*` headers, and a record that fails lexicon validation with 400
/// `InvalidRequest` "Invalid app.bsky.feed.post record: …".
public struct XRPCError: Decodable, Sendable, Equatable {
    /// The error name (`ExpiredToken`, `InvalidRequest`, …); nil when the body had none.
    public var error: String?
    /// The server's message, for people.
    public var message: String?

    public init(error: String?, message: String?) {
        self.error = error
        self.message = message
    }

    /// The error body of `response`, when it has one.
    public init?(_ response: PlatformResponse) {
        guard let body = try? JSONDecoder().decode(XRPCError.self, from: response.body), body.error != nil || body.message != nil else {
            return nil
        }
        self = body
    }

    /// Error names that say the session (access or refresh token) is no good: a new session may help.
    static let sessionErrors: Set<String> = ["ExpiredToken", "InvalidToken", "AuthenticationRequired", "AuthMissing", "BadJwt", "BadJwtSignature"]

    /// Error names that say the account itself is refused: no new session helps.
    static let accountErrors: Set<String> = ["AccountTakedown", "AccountDeactivated", "AccountSuspended"]

    /// Whether `response` refuses the credentials (a new session, by refresh or app password, may help).
    public static func refusesSession(_ response: PlatformResponse) -> Bool {
        guard !response.succeeded else { return false }
        let name = XRPCError(response)?.error ?? ""
        if accountErrors.contains(name) { return false }
        return response.status == 401 || sessionErrors.contains(name)
    }

    /// Classifies a failed answer.
    ///
    /// - 429, `RateLimitExceeded`, or a 5xx with `RateLimit-Remaining: 0` → rate_limited, retryAt from
    ///   `RateLimit-Reset` (unix seconds) or `Retry-After`;
    /// - 5xx, 408 → transient;
    /// - a refused session or account (401, 403, `ExpiredToken`, `InvalidToken`, `AccountTakedown`, …) → auth;
    /// - any other 4xx (`InvalidRequest`, 413 `PayloadTooLarge`, …) → rejected_content with the server's message.
    public static func classify(_ response: PlatformResponse, now: Date) -> ConnectorError {
        let body = XRPCError(response)
        let name = body?.error ?? ""
        let message = Self.message(body, response: response)
        let limits = RateLimitHeaders(response, now: now)
        if response.status == 429 || name == "RateLimitExceeded" || (limits.exhausted && response.status >= 500) {
            return ConnectorError(.rateLimited, message, status: response.status, retryAt: limits.reset)
        }
        if response.status >= 500 || response.status == 408 {
            return ConnectorError(.transient, message, status: response.status)
        }
        if response.status == 401 || response.status == 403 || sessionErrors.contains(name) || accountErrors.contains(name) {
            return ConnectorError(.auth, message, status: response.status)
        }
        if (400..<500).contains(response.status) {
            return ConnectorError(.rejectedContent, message, status: response.status)
        }
        return ConnectorError(.transient, "unexpected answer: \(message)", status: response.status)
    }

    /// The server's message (its error name when it gave none), or the body's text when it is not an XRPC error.
    static func message(_ body: XRPCError?, response: PlatformResponse) -> String {
        switch (body?.error, body?.message) {
        case (_, let message?) where !message.isEmpty: message
        case (let name?, _): name
        default: response.body.isEmpty ? "HTTP \(response.status)" : response.text(limit: 300)
        }
    }
}
