import Foundation

/// Arm rates estimated period by period, then averaged with the same period weights for every arm.
///
/// When the traffic split changes over time (as a bandit makes it) and rates drift (weekends,
/// seasons), pooled totals favour whichever arm got more traffic in the good periods (Simpson's
/// paradox). Weighting each period's rate by that period's share of all traffic, identically for
/// every arm, compares the arms on the same time mix. Each arm's estimate is
/// Σ_d w_d · r̂_{a,d} with variance Σ_d w_d² · r̂(1 − r̂)/n (a normal approximation, Beta(1, 1)-smoothed rates).
public enum PeriodWeightedPosterior {
    /// One period's trials and successes for each arm, in arm order.
    public struct Period: Sendable, Equatable {
        public var trials: [Int]
        public var successes: [Int]

        public init(trials: [Int], successes: [Int]) {
            self.trials = trials
            self.successes = successes
        }
    }

    /// Normal posteriors per arm over the stratified rates; periods where an arm had no traffic are
    /// left out of that arm's estimate with the remaining weights renormalised.
    public static func posteriors(_ periods: [Period], arms: Int) -> [NormalDistribution] {
        let totals = periods.map { Double($0.trials.reduce(0, +)) }
        let grand = totals.reduce(0, +)
        return (0..<arms).map { arm in
            var mean = 0.0
            var variance = 0.0
            var weightUsed = 0.0
            for (period, total) in zip(periods, totals) where period.trials[arm] > 0 && grand > 0 {
                let weight = total / grand
                let n = Double(period.trials[arm])
                let rate = (Double(period.successes[arm]) + 1) / (n + 2)
                mean += weight * rate
                variance += weight * weight * rate * (1 - rate) / n
                weightUsed += weight
            }
            guard weightUsed > 0 else { return NormalDistribution(mean: 0.5, standardDeviation: 0.29) }
            return NormalDistribution(mean: mean / weightUsed, standardDeviation: variance.squareRoot() / weightUsed)
        }
    }
}
