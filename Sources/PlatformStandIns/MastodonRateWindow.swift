import Foundation

/// One of a Mastodon stand-in's rate-limit buckets: `limit` requests per `period`, in windows aligned to multiples of the
/// period since the epoch (as Mastodon's rack-attack throttles and its `RateLimiter` families count), reported in
/// `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (ISO 8601 with milliseconds).
struct MastodonRateWindow: Sendable {
    var limit: Int
    var period: TimeInterval
    private(set) var start: Date = .distantPast
    private(set) var used = 0

    init(limit: Int, period: TimeInterval) {
        self.limit = limit
        self.period = max(period, 1)
    }

    /// Uses one request at `now`; false (nothing used) when the window's budget is gone.
    mutating func take(now: Date) -> Bool {
        roll(now: now)
        guard used < limit else { return false }
        used += 1
        return true
    }

    /// When the current window ends.
    func reset(now: Date) -> Date {
        var window = self
        window.roll(now: now)
        return window.start.addingTimeInterval(period)
    }

    /// The three headers as of `now`.
    func headers(now: Date) -> [(String, String)] {
        var window = self
        window.roll(now: now)
        return [
            ("X-RateLimit-Limit", String(limit)),
            ("X-RateLimit-Remaining", String(max(limit - window.used, 0))),
            ("X-RateLimit-Reset", Self.iso8601(window.start.addingTimeInterval(period))),
        ]
    }

    private mutating func roll(now: Date) {
        let aligned = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / period).rounded(.down) * period)
        if aligned != start {
            start = aligned
            used = 0
        }
    }

    /// Mastodon's datetime format (`2027-01-15T08:00:00.000Z`).
    static func iso8601(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
