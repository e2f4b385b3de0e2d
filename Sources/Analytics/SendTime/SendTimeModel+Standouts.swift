import Foundation

extension SendTimeModel {
    /// An hour of the week whose rate is credibly above the rest of the channel's hours.
    public struct Standout: Sendable, Equatable, Codable {
        public var hourOfWeek: Int
        public var trials: Int
        public var successes: Int
        /// Posterior mean after shrinkage (as in ``Slot/rate``).
        public var rate: Double
        /// The observed rate of every other hour of the channel together.
        public var restRate: Double
        /// One-sided Fisher exact p-value of this hour against the rest.
        public var pValue: Double
        /// Holm-adjusted over every eligible hour (what the call is made on).
        public var pValueHolm: Double

        enum CodingKeys: String, CodingKey {
            case trials, successes, rate
            case hourOfWeek = "hour_of_week"
            case restRate = "rest_rate"
            case pValue = "p_value"
            case pValueHolm = "p_value_holm"
        }
    }

    /// The hours that credibly beat the channel's average, best (highest shrunk rate) first; empty when none does.
    ///
    /// The rule: every eligible hour (at least `minimumTrials` impressions) is tested against all other hours of
    /// the channel together with a one-sided Fisher exact test (``HypergeometricTest``); the p-values are
    /// Holm-adjusted over the eligible hours, and an hour stands out when its adjusted p-value is below `alpha`
    /// and its shrunk rate is above the channel average. Holm keeps the family-wise error rate at `alpha` under
    /// any dependence between the tests, so when all hours are truly equal, a best hour is marked in at most
    /// `alpha` of campaigns — picking the highest of 168 noisy hours would mark one nearly always.
    ///
    /// - Parameter alpha: The family-wise error rate over the hours.
    /// - Complexity: O(h · t) for h eligible hours and t hypergeometric tail terms each.
    public func standouts(alpha: Double = 0.05) -> [Standout] {
        let eligible = slots.filter(\.eligible)
        // An hour is compared with the others: it takes an eligible hour and at least one other.
        guard !eligible.isEmpty, slots.count > 1 else { return [] }
        let totalTrials = slots.map(\.trials).reduce(0, +)
        let totalSuccesses = slots.map(\.successes).reduce(0, +)
        let average = totalTrials > 0 ? Double(totalSuccesses) / Double(totalTrials) : 0
        let pValues = eligible.map { slot in
            HypergeometricTest.upperTail(
                successes: slot.successes,
                draws: slot.trials,
                populationSuccesses: totalSuccesses,
                population: totalTrials
            )
        }
        let adjusted = MultipleTesting.holm(pValues)
        var standouts: [Standout] = []
        for (index, slot) in eligible.enumerated() where adjusted[index] < alpha && slot.rate > average {
            let restTrials = totalTrials - slot.trials
            standouts.append(
                Standout(
                    hourOfWeek: slot.hourOfWeek,
                    trials: slot.trials,
                    successes: slot.successes,
                    rate: slot.rate,
                    restRate: restTrials > 0 ? Double(totalSuccesses - slot.successes) / Double(restTrials) : 0,
                    pValue: pValues[index],
                    pValueHolm: adjusted[index]
                )
            )
        }
        return standouts.sorted { $0.rate > $1.rate }
    }

    /// The observed rate over every hour of the channel (what an hour must beat).
    public var channelAverage: Double {
        let trials = slots.map(\.trials).reduce(0, +)
        return trials > 0 ? Double(slots.map(\.successes).reduce(0, +)) / Double(trials) : 0
    }

    /// Why no hour is marked, for reports: e.g. "no hour stands out yet: 12 hours have 500 impressions or more,
    /// and none beats the channel average of 4.00% at a 5% family-wise error rate (one-sided Fisher exact tests, Holm over the hours)".
    ///
    /// - Returns: nil when some hour stands out.
    public func nothingStandsOut(alpha: Double = 0.05) -> String? {
        guard standouts(alpha: alpha).isEmpty else { return nil }
        let eligible = slots.filter(\.eligible).count
        let average = String(format: "%.2f%%", channelAverage * 100)
        let level = String(format: "%g%%", alpha * 100)
        if eligible == 0 {
            return "no hour stands out yet: no hour has the \(minimumTrials) impressions needed to be compared with the channel average of \(average)"
        }
        return "no hour stands out yet: \(eligible) hour\(eligible == 1 ? " has" : "s have") \(minimumTrials) impressions or more, and none beats "
            + "the channel average of \(average) at a \(level) family-wise error rate (one-sided Fisher exact tests, Holm over the hours)"
    }
}
