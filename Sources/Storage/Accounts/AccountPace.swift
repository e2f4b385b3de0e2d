import Connectors

/// How fast Herald posts through one account: a token bucket refilled at ``perHour`` posts an hour, holding at most
/// ``burst`` posts.
public struct AccountPace: Sendable, Equatable, Codable {
    /// Posts an hour, on average (more than 0).
    public var perHour: Double
    /// The most posts sent back to back (at least 1).
    public var burst: Double

    public init(perHour: Double, burst: Double) {
        self.perHour = perHour
        self.burst = burst
    }
}

extension AccountKind {
    /// The pace an account of this kind gets unless `--per-hour`/`--burst` say otherwise: below each platform's
    /// documented posting limit, so Herald never reaches it on its own. The one place these figures live.
    ///
    /// - mastodon: 100/h, burst 30 (Mastodon allows 300 statuses per 3 hours per account: docs.joinmastodon.org,
    ///   "Rate limits").
    /// - bluesky: 1,600/h, burst 50 (a PDS allows 5,000 points an hour and a createRecord costs 3: docs.bsky.app,
    ///   "Rate Limits").
    /// - x: 100 a day (about 4.17/h), burst 10 (the lowest paid tier's posting cap).
    /// - linkedin: 150 a day (6.25/h), burst 10 (LinkedIn's daily member share limit).
    /// - webhook: 36,000/h (10 a second), burst 600: a receiver of our own choosing, limited only to stay polite.
    public var defaultPace: AccountPace {
        switch self {
        case .mastodon: AccountPace(perHour: 100, burst: 30)
        case .bluesky: AccountPace(perHour: 1_600, burst: 50)
        case .x: AccountPace(perHour: 100.0 / 24, burst: 10)
        case .linkedin: AccountPace(perHour: 150.0 / 24, burst: 10)
        case .webhook: AccountPace(perHour: 36_000, burst: 600)
        }
    }
}
