import Foundation

/// Where a campaign's numbers come from on channels whose engagement is pulled back from the platform (Mastodon,
/// Bluesky, X, LinkedIn): how fresh each channel's counts are, and what its exposure (the trials of the rates) is.
///
/// A platform that reports impressions (X, LinkedIn) gives the exposure; one that does not (Mastodon, Bluesky) has
/// the account's follower reach at posting time as its exposure, raised to the highest engagement count when a post
/// travelled beyond the followers, so that successes never exceed trials. The report says which, per channel, rather
/// than pretending to know impressions.
public struct EngagementCollection: Sendable, Equatable, Codable {
    /// What counts as one trial on a channel.
    public enum Exposure: String, Sendable, Equatable, Codable {
        /// Impressions as the platform reports them.
        case impressions
        /// The account's followers when the post was published (the platform gives no impressions).
        case followerReach = "follower_reach"
    }

    /// One channel's collection.
    public struct Channel: Sendable, Equatable, Codable {
        /// The channel (`mastodon`, `x`…).
        public var channel: String
        /// The platform's name for people (`Mastodon`).
        public var platform: String
        public var exposure: Exposure
        /// The campaign's published posts on the channel.
        public var published: Int
        /// When the channel's most recent counts were read; nil before the first collection.
        public var collectedAt: Date?
        /// Which round of the collection schedule read them.
        public var round: Int?
        /// How many rounds the schedule has.
        public var rounds: Int
        /// E.g. "mastodon: counts collected 2 h ago (round 2 of 5)".
        public var freshness: String
        /// E.g. "exposure: follower reach at posting time (Mastodon gives no impressions)".
        public var exposureNote: String
    }

    /// What the analysis knows about one channel's collection.
    public struct Source: Sendable, Equatable {
        public var channel: String
        public var platform: String
        /// Whether the platform reports impressions.
        public var reportsImpressions: Bool
        public var published: Int
        public var collectedAt: Date?
        public var round: Int?
        public var rounds: Int

        public init(
            channel: String,
            platform: String,
            reportsImpressions: Bool,
            published: Int,
            collectedAt: Date?,
            round: Int?,
            rounds: Int
        ) {
            self.channel = channel
            self.platform = platform
            self.reportsImpressions = reportsImpressions
            self.published = published
            self.collectedAt = collectedAt
            self.round = round
            self.rounds = rounds
        }
    }

    /// The channels, by name.
    public var channels: [Channel]

    /// Each channel's freshness and exposure, as of `now` (the report's time, so rendering stays pure).
    public init(_ sources: [Source], now: Date) {
        channels = sources.sorted { $0.channel < $1.channel }.map { source in
            let freshness: String
            if let collectedAt = source.collectedAt {
                let round = source.round.map { " (round \($0) of \(source.rounds))" } ?? ""
                freshness = "\(source.channel): counts collected \(Self.age(now.timeIntervalSince(collectedAt)))\(round)"
            } else {
                freshness = "\(source.channel): no counts collected yet"
            }
            return Channel(
                channel: source.channel,
                platform: source.platform,
                exposure: source.reportsImpressions ? .impressions : .followerReach,
                published: source.published,
                collectedAt: source.collectedAt,
                round: source.round,
                rounds: source.rounds,
                freshness: freshness,
                exposureNote: source.reportsImpressions
                    ? "exposure: impressions reported by \(source.platform)"
                    : "exposure: follower reach at posting time (\(source.platform) gives no impressions)"
            )
        }
    }

    /// How long ago, for people: "just now", "12 min ago", "2 h ago", "3 d ago" (rounded down).
    static func age(_ seconds: TimeInterval) -> String {
        let seconds = max(0, seconds)
        switch seconds {
        case ..<60: return "just now"
        case ..<3_600: return "\(Int(seconds / 60)) min ago"
        case ..<(48 * 3_600): return "\(Int(seconds / 3_600)) h ago"
        default: return "\(Int(seconds / 86_400)) d ago"
        }
    }
}
