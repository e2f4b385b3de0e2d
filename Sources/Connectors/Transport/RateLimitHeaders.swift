import Foundation

/// A platform's rate-limit headers, read the way each documents them.
///
/// - Mastodon: `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset` (ISO 8601 time).
/// - X: `x-rate-limit-limit`, `x-rate-limit-remaining`, `x-rate-limit-reset` (unix seconds).
/// - Bluesky PDS: `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (unix seconds), `RateLimit-Policy`.
/// - Any: `Retry-After` (seconds or an HTTP date).
public struct RateLimitHeaders: Sendable, Equatable {
    public var limit: Int?
    public var remaining: Int?
    /// When the window resets.
    public var reset: Date?

    public init(limit: Int? = nil, remaining: Int? = nil, reset: Date? = nil) {
        self.limit = limit
        self.remaining = remaining
        self.reset = reset
    }

    /// Reads the headers of `response`, relative to `now` (for `Retry-After` in seconds).
    public init(_ response: PlatformResponse, now: Date) {
        func int(_ names: String...) -> Int? {
            names.lazy.compactMap { response.header($0) }.first.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        }
        limit = int("X-RateLimit-Limit", "x-rate-limit-limit", "RateLimit-Limit")
        remaining = int("X-RateLimit-Remaining", "x-rate-limit-remaining", "RateLimit-Remaining")
        reset = nil
        if let value = response.header("X-RateLimit-Reset") ?? response.header("x-rate-limit-reset") ?? response.header("RateLimit-Reset") {
            reset = Self.time(value, now: now)
        }
        if let retryAfter = response.header("Retry-After"), let after = Self.retryAfter(retryAfter, now: now) {
            reset = max(reset ?? after, after)
        }
    }

    /// Whether the window is used up (no request is left before ``reset``).
    public var exhausted: Bool { remaining.map { $0 <= 0 } ?? false }

    /// A reset value: unix seconds, or an ISO 8601 time (with or without fractional seconds). A small number of seconds
    /// (below one year) is read as seconds from now, as some servers send it.
    static func time(_ text: String, now: Date) -> Date? {
        let value = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(value) {
            return seconds < 31_536_000 ? now.addingTimeInterval(seconds) : Date(timeIntervalSince1970: seconds)
        }
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = iso.date(from: value) { return date }
        iso.formatOptions = [.withInternetDateTime]
        return iso.date(from: value)
    }

    /// `Retry-After`: seconds, or an HTTP date.
    static func retryAfter(_ text: String, now: Date) -> Date? {
        let value = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(value) { return now.addingTimeInterval(TimeInterval(max(seconds, 0))) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: value)
    }
}
