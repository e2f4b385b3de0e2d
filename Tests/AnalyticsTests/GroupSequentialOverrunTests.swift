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

    @Test func earlierLooksPastTheHorizonAreReplacedByTheLatest() {
        let design = GroupSequentialDesign(horizon: 10_000, earlierLooks: [5_000, 10_500], current: 12_000, alpha: 0.05)
        #expect(design.fractions == [0.5, 1.2])
    }

    @Test func theScorerAcceptsAnOverrunAndSaysItIsTheFinalAnalysis() throws {
        let input = ScoreInput(
            arms: [.init(id: "A", trials: 6_000, successes: 240), .init(id: "B", trials: 6_000, successes: 300)],
            design: .init(horizon: 10_000, looks: [4_000, 8_000, 11_000])
        )
        try input.validate()
        let result = try Scorer.score(input)
        #expect(result.recommendations.contains { $0.reason.contains("This is the final analysis") })
        let inside = ScoreInput(arms: input.arms, design: .init(horizon: 20_000, looks: [4_000, 8_000]))
        #expect(try Scorer.score(inside).recommendations.allSatisfy { !$0.reason.contains("final analysis") })
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
            var trials = (0, 0)
            var successes = (0, 0)
            var looks: [Int] = []
            while true {
                let today = Int((Double(perDay) * Double.random(in: 0.8...1.2, using: &generator)).rounded())
                trials.0 += today
                trials.1 += today
                successes.0 += BinomialSampler.sample(trials: today, probability: 0.05, using: &generator)
                successes.1 += BinomialSampler.sample(trials: today, probability: 0.05, using: &generator)
                let total = trials.0 + trials.1
                let design = GroupSequentialDesign(horizon: horizon, earlierLooks: looks, current: total, alpha: 0.05)
                let test = TwoProportionTest(treatment: (successes.1, trials.1), control: (successes.0, trials.0), alpha: 0.05)
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
