import Connectors
import Foundation
import Testing

@Suite("Rate-limit headers")
struct RateLimitHeadersTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("Mastodon's reset is an ISO 8601 time")
    func mastodon() {
        let response = PlatformResponse(
            status: 429,
            headers: [("X-RateLimit-Limit", "300"), ("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", "2027-01-15T08:00:00.000Z")]
        )
        let headers = RateLimitHeaders(response, now: now)
        #expect(headers.limit == 300)
        #expect(headers.exhausted)
        #expect(headers.reset == ISO8601DateFormatter().date(from: "2027-01-15T08:00:00Z"))
    }

    @Test("X's and Bluesky's resets are unix seconds")
    func unixSeconds() {
        let x = RateLimitHeaders(
            PlatformResponse(status: 429, headers: [("x-rate-limit-remaining", "0"), ("x-rate-limit-reset", "1800000900")]),
            now: now
        )
        #expect(x.reset == now.addingTimeInterval(900))
        let bluesky = RateLimitHeaders(
            PlatformResponse(status: 200, headers: [("RateLimit-Remaining", "12"), ("RateLimit-Reset", "1800000060")]),
            now: now
        )
        #expect(bluesky.remaining == 12)
        #expect(!bluesky.exhausted)
        #expect(bluesky.reset == now.addingTimeInterval(60))
    }

    @Test("Retry-After in seconds or as an HTTP date; the later of it and the reset wins")
    func retryAfter() {
        #expect(RateLimitHeaders(PlatformResponse(status: 503, headers: [("Retry-After", "120")]), now: now).reset == now.addingTimeInterval(120))
        let date = RateLimitHeaders(PlatformResponse(status: 429, headers: [("Retry-After", "Fri, 15 Jan 2027 08:00:00 GMT")]), now: now)
        #expect(date.reset == ISO8601DateFormatter().date(from: "2027-01-15T08:00:00Z"))
        #expect(RateLimitHeaders(PlatformResponse(status: 200), now: now) == RateLimitHeaders())
    }
}
