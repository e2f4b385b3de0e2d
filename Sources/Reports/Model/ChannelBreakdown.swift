import Analytics
import Foundation
import HeraldCore

/// A campaign's results per channel, beside the pooled results that the decision is made on.
///
/// The decision (winner, stops, split) is always made on every channel pooled, because that is what the test was
/// planned and corrected for. The breakdown says how much each channel contributes to the pooled trials, scores each
/// channel on its own (the same Beta posteriors and P(best) as the pooled scoring), and warns when the channels tell a
/// different story from the pooled data:
///
/// - **Simpson's paradox**: at least two channels compare variants, every one of them has the same leader, and
///   that leader is not the pooled leader. This happens when the variants' traffic is spread over the channels
///   unevenly (one variant shown mostly on a channel that engages more): the pooled comparison then mixes the
///   channels' differences with the variants'.
/// - **A channel credibly disagrees**: a channel's own leader is not the pooled leader and is best on that channel
///   with a chance of at least 1 − alpha. The best variant may differ by channel.
///
/// Events without a publication (older events, batch rows that name none) form the channel `""`, shown as
/// "without a publication".
public struct ChannelBreakdown: Sendable, Equatable, Codable {
    /// One variant's results on one channel.
    public struct Variant: Sendable, Equatable, Codable {
        public var key: String
        public var impressions: Int
        public var successes: Int
        public var rate: Double
        /// Equal-tailed credible interval of the rate (Beta posterior), at the report's level.
        public var interval: [Double]
        /// The chance this variant has the highest true rate on this channel.
        public var probabilityBest: Double
    }

    /// One channel's results.
    public struct Channel: Sendable, Equatable, Codable {
        /// The channel's name (`x`, `email`…); `""` for events without a publication.
        public var channel: String
        /// This channel's impressions.
        public var impressions: Int
        /// This channel's share of the pooled impressions (0 to 1).
        public var share: Double
        /// The variants with impressions on this channel, in the campaign's order.
        public var variants: [Variant]
        /// The variant most likely best on this channel; nil when fewer than two variants have impressions here.
        public var leader: String?
        /// Whether ``leader`` is the pooled leader; nil when the channel has no leader.
        public var agreesWithPooled: Bool?
        /// This channel's counts per UTC day, one entry per variant of the campaign in the campaign's order.
        public var days: [ReportModel.Day]

        /// The channel's name for people: "without a publication" for `""`.
        public var label: String { channel.isEmpty ? "without a publication" : channel }
    }

    /// One channel's scoring, as the analysis computed it.
    public struct Scored: Sendable {
        public var channel: String
        /// The variants with impressions on the channel.
        public var variants: [Variant]
        public var days: [ReportModel.Day]

        /// A channel where two or more variants went out, from their scoring (arm ids are variant keys; arms
        /// without impressions are left out).
        public init(channel: String, score: ScoreResult, days: [ReportModel.Day]) {
            self.channel = channel
            self.days = days
            variants = score.arms.filter { $0.trials > 0 }.map { arm in
                Variant(
                    key: arm.id,
                    impressions: arm.trials,
                    successes: arm.successes,
                    rate: arm.rate,
                    interval: arm.posterior.ci,
                    probabilityBest: arm.pBest
                )
            }
        }

        /// A channel where one variant alone went out: its Beta posterior (uniform prior), nothing to compare.
        public init(channel: String, key: String, impressions: Int, successes: Int, alpha: Double, days: [ReportModel.Day]) {
            self.channel = channel
            self.days = days
            let interval = BetaDistribution(successes: successes, trials: impressions).credibleInterval(alpha: alpha)
            variants = [
                Variant(
                    key: key,
                    impressions: impressions,
                    successes: successes,
                    rate: impressions > 0 ? Double(successes) / Double(impressions) : 0,
                    interval: [interval.lowerBound, interval.upperBound],
                    probabilityBest: 1
                )
            ]
        }
    }

    /// The channels with impressions, largest share first.
    public var channels: [Channel]
    /// The pooled leader the channels are compared with.
    public var pooledLeader: String?
    /// Which data decides, e.g. "The decision is made on all channels pooled: x 62% of impressions, email 38%."
    public var decision: String
    /// Every channel leads with the same variant, which is not the pooled leader.
    public var simpsonsParadox: Bool
    /// Where the channels disagree with the pooled result, one sentence each (empty when they agree).
    public var warnings: [String]

    /// The breakdown of per-channel scorings against the pooled leader.
    ///
    /// - Parameters:
    ///   - scored: Each channel's scoring.
    ///   - pooledLeader: The key of the pooled leader (highest P(best) over all channels), if any.
    ///   - alpha: 1 − the chance at which a channel's own leader counts as credible.
    public init(_ scored: [Scored], pooledLeader: String?, alpha: Double) {
        let total = scored.reduce(0) { $0 + $1.variants.reduce(0) { $0 + $1.impressions } }
        channels = scored.map { entry in
            let variants = entry.variants
            let impressions = variants.reduce(0) { $0 + $1.impressions }
            let leader = variants.count >= 2 ? variants.max { $0.probabilityBest < $1.probabilityBest }?.key : nil
            return Channel(
                channel: entry.channel,
                impressions: impressions,
                share: total > 0 ? Double(impressions) / Double(total) : 0,
                variants: variants,
                leader: leader,
                agreesWithPooled: leader.flatMap { leader in pooledLeader.map { $0 == leader } },
                days: entry.days
            )
        }
        .filter { $0.impressions > 0 }
        .sorted { $0.impressions != $1.impressions ? $0.impressions > $1.impressions : $0.channel < $1.channel }
        self.pooledLeader = pooledLeader
        let shares = channels.map { "\($0.label) \(Format.percent($0.share, digits: 0))" }
        decision =
            channels.isEmpty
            ? "No channel has impressions yet."
            : "The decision is made on all channels pooled: " + Format.list(shares) + " of impressions."
        let compared = channels.filter { $0.leader != nil }
        let leaders = Set(compared.compactMap(\.leader))
        var warnings: [String] = []
        if let pooledLeader, compared.count >= 2, leaders.count == 1, let common = leaders.first, common != pooledLeader {
            simpsonsParadox = true
            warnings.append(
                "\(common) leads on every channel (\(Format.list(compared.map(\.label)))) but \(pooledLeader) leads pooled: "
                    + "the variants' traffic is spread unevenly over channels that engage differently (Simpson's paradox). "
                    + "Compare the variants within each channel, or even out each channel's split, before deciding."
            )
        } else {
            simpsonsParadox = false
        }
        if let pooledLeader, !simpsonsParadox {
            for channel in compared where channel.leader != pooledLeader {
                guard let leading = channel.variants.first(where: { $0.key == channel.leader }), leading.probabilityBest >= 1 - alpha else {
                    continue
                }
                warnings.append(
                    "On \(channel.label), \(leading.key) leads (\(Format.chance(leading.probabilityBest)) chance to be best there) "
                        + "while \(pooledLeader) leads pooled: the best variant may differ by channel."
                )
            }
        }
        self.warnings = warnings
    }

    /// The breakdown as JSON in the report's shape (snake_case keys), to store beside an analysis's scoring.
    public func json() throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: JSONRenderer.encoder().encode(self))
    }
}
