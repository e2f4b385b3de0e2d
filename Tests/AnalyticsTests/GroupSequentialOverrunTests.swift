import HeraldCore
import Testing

@testable import Analytics

/// A planned test whose traffic overruns its horizon: the look past it is the final analysis.
struct GroupSequentialOverrunTests {
    @Test func aLookPastTheHorizonSpendsWhatIsLeft() {
        let design = GroupSequentialDesign(horizon: 10_000, earlierLooks: [2_500, 5_000, 7_500], current: 11_000, alpha: 0.05)
        #expect(design.isFinal)
        #expect(design.fractions == [0.25, 0.5, 0.75, 1.1])
        // Crossing the last boundary, first time, has probability α minus what the earlier looks spent.
        #expect(abs(design.stagewisePValue(z: design.boundaries.last!) - 0.05) < 1e-4)
        let planned = GroupSequentialDesign(horizon: 10_000, earlierLooks: [2_500, 5_000, 7_500], current: 9_000, alpha: 0.05)
        #expect(!planned.isFinal)
    }

    @Test func looksAfterTheFinalAnalysisSpendNothing() {
        // The look at 10,500 was the final analysis; the daily analysis kept running to 12,000.
        let design = GroupSequentialDesign(horizon: 10_000, earlierLooks: [5_000, 10_500], current: 12_000, alpha: 0.05)
        #expect(design.fractions == [0.5, 1.05])
        #expect(design.afterFinal == 1.2)
        #expect(design.hasEnded && !design.isFinal)
        let final = GroupSequentialDesign(horizon: 10_000, earlierLooks: [5_000], current: 10_500, alpha: 0.05)
        #expect(final.isFinal && !final.hasEnded)
        #expect(design.boundaries == final.boundaries)
        // However large the difference now, nothing is left to spend: no rejection.
        let later = SequentialComparison.make(design: design, difference: 0.02, variance: 1e-6, testVariance: 1e-6, sampleSize: 12_000, alpha: 0.05)
        #expect(later.pValue == 1)
        let atFinal = SequentialComparison.make(design: final, difference: 0.02, variance: 1e-6, testVariance: 1e-6, sampleSize: 10_500, alpha: 0.05)
        #expect(atFinal.pValue < 0.05)
        // The same rule for fractions given directly.
        let direct = GroupSequentialDesign(fractions: [0.5, 1.05, 1.1, 1.2], alpha: 0.05)
        #expect(direct.fractions == [0.5, 1.05] && direct.afterFinal == 1.2 && direct.boundaries == final.boundaries)
    }

    @Test func theScorerAcceptsAnOverrunAndSaysItIsTheFinalAnalysis() throws {
        let input = ScoreInput(
            arms: [.init(id: "A", trials: 6_000, successes: 240), .init(id: "B", trials: 6_000, successes: 300)],
            design: .init(horizon: 10_000, looks: [4_000, 8_000])
        )
        try input.validate()
        let result = try Scorer.score(input)
        #expect(result.recommendations.contains { $0.reason.contains("This is the final analysis") })
        let inside = ScoreInput(arms: input.arms, design: .init(horizon: 20_000, looks: [4_000, 8_000]))
        #expect(try Scorer.score(inside).recommendations.allSatisfy { !$0.reason.contains("final analysis") })
    }

    @Test func aScoreAfterTheFinalAnalysisDeclaresNothingAndSaysWhy() throws {
        // B converts at 6.5% against 4%: a clear winner, but the final analysis was at 11,000 trials.
        let arms: [ScoreInput.Arm] = [.init(id: "A", trials: 6_000, successes: 240), .init(id: "B", trials: 6_000, successes: 390)]
        let input = ScoreInput(arms: arms, design: .init(horizon: 10_000, looks: [4_000, 8_000, 11_000]))
        try input.validate()
        let result = try Scorer.score(input)
        #expect(!result.recommendations.contains { $0.action == .declareWinner || $0.action == .stopArm })
        #expect(result.arms[1].vsControl?.sequential?.pValue == 1)
        let verdicts = result.recommendations.filter { $0.action != .reallocate }
        #expect(!verdicts.isEmpty && verdicts.allSatisfy { $0.reason.contains("The test ended at its final analysis (11,000 trials") })
        // Mean metrics say the same.
        let means = MeanScoreInput(
            arms: [.init(id: "A", n: 6_000, sum: 240, sumSquares: 240), .init(id: "B", n: 6_000, sum: 390, sumSquares: 390)],
            design: .init(horizon: 10_000, looks: [4_000, 8_000, 11_000])
        )
        let meanResult = try Scorer.score(means)
        #expect(!meanResult.recommendations.contains { $0.action == .declareWinner || $0.action == .stopArm })
        #expect(meanResult.recommendations.allSatisfy { $0.reason.contains("ended at its final analysis") })
    }

    /// A/A campaigns planned for two days of traffic that varies ±20% from day to day, analysed every day for ten days
    /// (the analysis job keeps running after the horizon): false winners stay at α. Re-spending what is left at
    /// every look past the horizon (each a new "final analysis", as the first version of overrun handling did) is
    /// measured on the same campaigns and inflates them well past α: this simulation would have caught it.
    @Test func dailyAnalysesThatRunOnPastTheHorizonKeepFalseWinnersAtAlpha() {
        let campaigns = 1_000
        let perDay = 2_000
        let horizon = 2 * perDay * 2
        var generator = SplitMix64(seed: 2_026)
        var falseWinners = 0
        var respending = 0
        for _ in 0..<campaigns {
            var campaign = AACampaign()
            var looks: [Int] = []
            var called = (false, false)
            for _ in 0..<10 {
                let (test, total) = campaign.day(perDay: perDay, using: &generator)
                let design = GroupSequentialDesign(horizon: horizon, earlierLooks: looks, current: total, alpha: 0.05)
                let comparison = SequentialComparison.make(
                    design: design,
                    difference: test.difference,
                    variance: test.variance,
                    testVariance: test.nullVariance,
                    sampleSize: total,
                    alpha: 0.05
                )
                if comparison.pValue < 0.05 { called.0 = true }
                // The flawed rule: looks past the horizon dropped, the current one a new final analysis.
                let before = looks.filter { $0 < horizon }.map { Double($0) / Double(horizon) }
                let flawed = GroupSequentialDesign(fractions: before + [Double(total) / Double(horizon)], alpha: 0.05)
                let z = test.nullVariance > 0 ? test.difference / test.nullVariance.squareRoot() : 0
                if abs(z) >= flawed.boundaries.last! { called.1 = true }
                looks.append(total)
            }
            if called.0 { falseWinners += 1 }
            if called.1 { respending += 1 }
        }
        let tolerance = 3 * (0.05 * 0.95 / Double(campaigns)).squareRoot()
        #expect(Double(falseWinners) / Double(campaigns) <= 0.05 + tolerance, "A/A false winners \(falseWinners) of \(campaigns)")
        #expect(Double(respending) / Double(campaigns) > 0.05 + tolerance, "re-spending gave \(respending) of \(campaigns)")
    }

    /// A/A campaigns planned for four days of traffic that varies ±20% from day to day, looked at daily until a
    /// look reaches the horizon (the final analysis, often past it): false winners stay at α, within three
    /// binomial standard errors for the number of campaigns.
    @Test func dailyLooksWithNoisyTrafficKeepFalseWinnersAtAlpha() {
        let campaigns = 1_000
        let perDay = 2_000
        let horizon = 2 * perDay * 4
        var generator = SplitMix64(seed: 77)
        var falseWinners = 0
        var overran = 0
        for _ in 0..<campaigns {
            var campaign = AACampaign()
            var looks: [Int] = []
            while true {
                let (test, total) = campaign.day(perDay: perDay, using: &generator)
                let design = GroupSequentialDesign(horizon: horizon, earlierLooks: looks, current: total, alpha: 0.05)
                let z = test.pooledVariance > 0 ? test.absoluteDifference / test.pooledVariance.squareRoot() : 0
                if abs(z) >= design.boundaries.last! {
                    falseWinners += 1
                    break
                }
                if design.isFinal {
                    if total > horizon { overran += 1 }
                    break
                }
                looks.append(total)
            }
        }
        let rate = Double(falseWinners) / Double(campaigns)
        let tolerance = 3 * (0.05 * 0.95 / Double(campaigns)).squareRoot()
        #expect(rate <= 0.05 + tolerance, "A/A false winners \(rate)")
        #expect(overran > campaigns / 4, "only \(overran) campaigns overran their horizon")
    }
}

/// One A/A campaign of the overrun simulations: both arms at a 5% rate, each day ±20% of `perDay` trials per arm.
struct AACampaign {
    var trials = (0, 0)
    var successes = (0, 0)

    /// Adds a day of traffic and returns the test of all of it so far and the total trials.
    mutating func day(perDay: Int, using generator: inout SplitMix64) -> (test: TwoProportionTest, total: Int) {
        let today = Int((Double(perDay) * Double.random(in: 0.8...1.2, using: &generator)).rounded())
        trials.0 += today
        trials.1 += today
        successes.0 += BinomialSampler.sample(trials: today, probability: 0.05, using: &generator)
        successes.1 += BinomialSampler.sample(trials: today, probability: 0.05, using: &generator)
        let test = TwoProportionTest(treatment: (successes.1, trials.1), control: (successes.0, trials.0), alpha: 0.05)
        return (test, trials.0 + trials.1)
    }
}
