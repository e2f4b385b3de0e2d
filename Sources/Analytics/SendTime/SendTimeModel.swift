import Foundation

/// Engagement rate by hour of week, shrunk toward the channel average (empirical Bayes).
///
/// Each slot's rate gets a Beta prior fitted to all slots of the channel by the method of moments
/// (beta-binomial), so a slot with few impressions stays near the average and only slots with
/// enough data can stand out. A slot below `minimumTrials` is never recommended as best.
///
/// Shrinkage orders the hours but does not say that the top one differs from the rest: which hours
/// credibly beat the channel's average is decided by ``standouts(alpha:)`` (exact tests, Holm over
/// the hours), and ``nothingStandsOut(alpha:)`` says why none is marked.
public struct SendTimeModel: Sendable, Equatable {
    /// One hour of the week (0 = Monday 00:00 … 167 = Sunday 23:00, in the campaign's time zone).
    public struct Slot: Sendable, Equatable, Codable {
        public var hourOfWeek: Int
        public var trials: Int
        public var successes: Int
        /// Posterior mean after shrinkage.
        public var rate: Double
        /// Equal-tailed credible interval.
        public var interval: [Double]
        /// Whether the slot has enough impressions to be recommended.
        public var eligible: Bool

        enum CodingKeys: String, CodingKey {
            case trials, successes, rate, interval, eligible
            case hourOfWeek = "hour_of_week"
        }
    }

    /// The fitted prior (shared by the channel's slots).
    public let prior: (alpha: Double, beta: Double)
    /// Every slot with data, by hour of week.
    public let slots: [Slot]
    /// Impressions an hour needs to be compared with the rest.
    public let minimumTrials: Int

    public static func == (lhs: SendTimeModel, rhs: SendTimeModel) -> Bool {
        lhs.prior == rhs.prior && lhs.slots == rhs.slots && lhs.minimumTrials == rhs.minimumTrials
    }

    /// - Parameters:
    ///   - counts: (hour of week, trials, successes) per slot with data.
    ///   - alpha: 1 − credible level.
    ///   - minimumTrials: Impressions a slot needs to be recommended.
    public init(counts: [(hourOfWeek: Int, trials: Int, successes: Int)], alpha: Double = 0.05, minimumTrials: Int = 500) {
        let observed = counts.filter { $0.trials > 0 }
        self.minimumTrials = minimumTrials
        prior = Self.fitPrior(observed)
        slots = observed.sorted { $0.hourOfWeek < $1.hourOfWeek }.map { [prior] slot in
            let posterior = BetaDistribution(alpha: prior.alpha + Double(slot.successes), beta: prior.beta + Double(slot.trials - slot.successes))
            let interval = posterior.credibleInterval(alpha: alpha)
            return Slot(
                hourOfWeek: slot.hourOfWeek,
                trials: slot.trials,
                successes: slot.successes,
                rate: posterior.mean,
                interval: [interval.lowerBound, interval.upperBound],
                eligible: slot.trials >= minimumTrials
            )
        }
    }

    /// The eligible slots with the highest shrunk rates, highest first — a ranking, not a claim that they differ
    /// from the rest (see ``standouts(alpha:)``).
    public func best(_ count: Int = 3) -> [Slot] {
        Array(slots.filter(\.eligible).sorted { $0.rate > $1.rate }.prefix(count))
    }

    /// Method-of-moments Beta prior for slot rates (Kleinman 1973 weighting by trials), with a weak
    /// fallback when the slots show no extra-binomial spread.
    static func fitPrior(_ counts: [(hourOfWeek: Int, trials: Int, successes: Int)]) -> (alpha: Double, beta: Double) {
        let totalTrials = Double(counts.map(\.trials).reduce(0, +))
        let totalSuccesses = Double(counts.map(\.successes).reduce(0, +))
        guard totalTrials > 0 else { return (1, 1) }
        let mean = max(min(totalSuccesses / totalTrials, 1 - 1e-9), 1e-9)
        guard counts.count > 1 else { return (mean * 2, (1 - mean) * 2) }
        // Weighted variance of slot rates, minus the binomial part, is the spread of true rates.
        var weightedSquares = 0.0
        var binomialPart = 0.0
        for slot in counts {
            let rate = Double(slot.successes) / Double(slot.trials)
            weightedSquares += Double(slot.trials) * (rate - mean) * (rate - mean)
            binomialPart += mean * (1 - mean)
        }
        let k = Double(counts.count)
        let spread = (weightedSquares - binomialPart * (k - 1) / k) / totalTrials
        // Prior strength: mean(1 − mean)/spread − 1, kept between a few and 100,000 pseudo-impressions.
        let strength = spread > 0 ? min(max(mean * (1 - mean) / spread - 1, 2), 100_000) : 100_000
        return (mean * strength, (1 - mean) * strength)
    }
}
