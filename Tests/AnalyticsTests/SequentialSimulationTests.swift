import HeraldCore
import Testing

@testable import Analytics

/// Peeking every day must not inflate false winners: A/A campaigns checked daily for 30 days.
struct SequentialSimulationTests {
    /// Fraction of campaigns in which the decision rule ever fires over `days` daily looks.
    func callRate(campaigns: Int, days: Int, perDay: Int, rates: (Double, Double), seed: UInt64) -> Double {
        var generator = SplitMix64(seed: seed)
        var called = 0
        for _ in 0..<campaigns {
            var trials = (0, 0)
            var successes = (0, 0)
            for _ in 0..<days {
                trials.0 += perDay
                trials.1 += perDay
                successes.0 += BinomialSampler.sample(trials: perDay, probability: rates.0, using: &generator)
                successes.1 += BinomialSampler.sample(trials: perDay, probability: rates.1, using: &generator)
                let test = TwoProportionTest(treatment: (successes.1, trials.1), control: (successes.0, trials.0), alpha: 0.05)
                let sequence = ConfidenceSequence(
                    difference: test.absoluteDifference,
                    variance: test.unpooledVariance,
                    sampleSize: trials.0 + trials.1,
                    alpha: 0.05,
                    tuningSampleSize: Scorer.defaultTuningSampleSize
                )
                if sequence.pValue < 0.05 {
                    called += 1
                    break
                }
            }
        }
        return Double(called) / Double(campaigns)
    }

    @Test func aaFalseWinnersStayBelowAlphaUnderDailyPeeking() {
        let rate = callRate(campaigns: 1_000, days: 30, perDay: 3_000, rates: (0.04, 0.04), seed: 7)
        // alpha plus three Monte Carlo standard errors (sqrt(0.05 * 0.95 / 1000) ≈ 0.0069).
        #expect(rate <= 0.05 + 0.021, "false winner rate \(rate)")
    }

    @Test func naiveDailyZTestWouldHaveFailed() {
        // The same campaigns judged by a fixed-horizon z-test at every look: the reason for the sequential rule.
        var generator = SplitMix64(seed: 7)
        var called = 0
        for _ in 0..<500 {
            var s = (0, 0)
            var n = 0
            for _ in 0..<30 {
                n += 3_000
                s.0 += BinomialSampler.sample(trials: 3_000, probability: 0.04, using: &generator)
                s.1 += BinomialSampler.sample(trials: 3_000, probability: 0.04, using: &generator)
                if TwoProportionTest(treatment: (s.1, n), control: (s.0, n), alpha: 0.05).pValue < 0.05 {
                    called += 1
                    break
                }
            }
        }
        #expect(Double(called) / 500 > 0.12)
    }

    @Test func trueLiftIsFound() {
        let power = callRate(campaigns: 300, days: 30, perDay: 3_000, rates: (0.04, 0.044), seed: 11)
        #expect(power > 0.5, "power \(power)")
    }

    @Test func binomialSamplerHasTheRightMean() {
        var generator = SplitMix64(seed: 1)
        let draws = (0..<4_000).map { _ in BinomialSampler.sample(trials: 1_000, probability: 0.03, using: &generator) }
        let mean = Double(draws.reduce(0, +)) / Double(draws.count)
        #expect(abs(mean - 30) < 0.5)
        let variance = draws.map { (Double($0) - mean) * (Double($0) - mean) }.reduce(0, +) / Double(draws.count - 1)
        #expect(abs(variance - 29.1) < 3)
    }

    /// Daily looks over 30 days of a planned test: the fraction of campaigns that ever reject, and the mean
    /// impressions (both arms) at the first rejection among those that do.
    func groupSequential(campaigns: Int, rates: (Double, Double), seed: UInt64) -> (rate: Double, impressions: Double) {
        let days = 30
        let perDay = 3_000
        let design = GroupSequentialDesign(fractions: (1...days).map { Double($0) / Double(days) }, alpha: 0.05)
        var generator = SplitMix64(seed: seed)
        var called = 0
        var impressions = 0
        for _ in 0..<campaigns {
            var successes = (0, 0)
            for day in 1...days {
                successes.0 += BinomialSampler.sample(trials: perDay, probability: rates.0, using: &generator)
                successes.1 += BinomialSampler.sample(trials: perDay, probability: rates.1, using: &generator)
                let test = TwoProportionTest(treatment: (successes.1, day * perDay), control: (successes.0, day * perDay), alpha: 0.05)
                let z = test.absoluteDifference / test.pooledVariance.squareRoot()
                if abs(z) >= design.boundaries[day - 1] {
                    called += 1
                    impressions += 2 * day * perDay
                    break
                }
            }
        }
        return (Double(called) / Double(campaigns), called > 0 ? Double(impressions) / Double(called) : 0)
    }

    @Test func plannedDailyLooksKeepFalseWinnersAtAlpha() {
        let outcome = groupSequential(campaigns: 1_000, rates: (0.04, 0.04), seed: 21)
        #expect(outcome.rate <= 0.05 + 0.021, "A/A rejection rate \(outcome.rate)")
    }

    @Test func plannedDailyLooksFindATenPercentLift() {
        let outcome = groupSequential(campaigns: 300, rates: (0.04, 0.044), seed: 22)
        #expect(outcome.rate >= 0.8, "power \(outcome.rate)")
    }
}
