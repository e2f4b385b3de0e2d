import Foundation
import Testing

@testable import Analytics

struct ModelTests {
    struct EffectsFixture: Decodable {
        var features: [String]
        var values: [[Double]]
        var trials: [Int]
        var successes: [Int]
        var intercept: Double
        var coefficients: [Double]
        var standard_errors: [Double]
    }

    /// Against SciPy's direct maximisation of the likelihood (Fixtures/make_models.py).
    @Test func featureEffectsMatchSciPy() throws {
        let fixture = try loadFixture("feature_effects", as: EffectsFixture.self)
        let fit = try FeatureEffects(features: fixture.features, values: fixture.values, trials: fixture.trials, successes: fixture.successes)
        #expect(abs(fit.intercept - fixture.intercept) < 1e-6)
        for (effect, (coefficient, standardError)) in zip(fit.effects, zip(fixture.coefficients, fixture.standard_errors)) {
            #expect(abs(effect.coefficient - coefficient) < 1e-6, "\(effect.feature): \(effect.coefficient) vs \(coefficient)")
            #expect(abs(effect.standardError - standardError) < 1e-6)
            #expect(effect.significant == (effect.interval[0] > 0 || effect.interval[1] < 0))
        }
    }

    @Test func featureEffectsRefuseWhatCannotBeEstimated() {
        #expect(throws: FeatureEffects.FitError.self) {
            try FeatureEffects(features: ["a", "b"], values: [[1, 0], [0, 1], [1, 1]], trials: [100, 100, 100], successes: [5, 6, 7])
        }
        #expect(throws: FeatureEffects.FitError.self) {  // a constant feature
            try FeatureEffects(features: ["a"], values: [[1], [1], [1], [1]], trials: [100, 100, 100, 100], successes: [5, 6, 7, 8])
        }
    }

    @Test func sendTimeShrinksThinSlotsAndNeverRecommendsThem() {
        // Rates follow the day (2% at night to 4% in the evening); Monday 09:00 stands out at 6%.
        var counts: [(hourOfWeek: Int, trials: Int, successes: Int)] = []
        for hour in 0..<168 {
            let rate = hour == 9 ? 0.06 : 0.03 + 0.01 * sin(Double(hour % 24 - 12) / 24 * 2 * Double.pi)
            counts.append((hour, 5_000, Int((5_000 * rate).rounded())))
        }
        counts[20] = (20, 10, 5)  // 50% on 10 impressions: luck
        let model = SendTimeModel(counts: counts)
        #expect(model.best(1).first?.hourOfWeek == 9)
        let thin = model.slots.first { $0.hourOfWeek == 20 }!
        #expect(!thin.eligible)
        #expect(thin.rate < 0.1)  // pulled from 50% toward the 3% average
        let strong = model.slots.first { $0.hourOfWeek == 9 }!
        #expect(strong.rate > 0.05 && strong.rate < 0.06, "\(strong.rate)")
        #expect(strong.interval[0] < strong.rate && strong.rate < strong.interval[1])
    }

    @Test func allocationFollowsProbabilityOfBeingBestWithAFloorAfterBurnIn() {
        let early = Allocation(probabilityOfBeingBest: [0.1, 0.9], trials: [500, 500], live: [true, true])
        #expect(early.shares == [0.5, 0.5] && !early.adapted)
        let later = Allocation(probabilityOfBeingBest: [0.001, 0.299, 0.7], trials: [5_000, 5_000, 5_000], live: [true, true, true])
        #expect(later.adapted)
        #expect(abs(later.shares.reduce(0, +) - 1) < 1e-12)
        #expect(abs(later.shares[0] - 0.05) < 1e-12)
        #expect(later.shares[2] > later.shares[1])
        let stopped = Allocation(probabilityOfBeingBest: [0.2, 0.3, 0.5], trials: [5_000, 5_000, 5_000], live: [true, false, true])
        #expect(stopped.shares[1] == 0)
    }

    @Test func periodWeightingRemovesTheBiasOfAShiftingSplit() {
        // Both arms convert at 2% on weekdays and 6% on weekends; B got most of its traffic on weekends.
        let periods = [
            PeriodWeightedPosterior.Period(trials: [9_000, 1_000], successes: [180, 20]),  // weekday
            PeriodWeightedPosterior.Period(trials: [1_000, 9_000], successes: [60, 540]),  // weekend
        ]
        let pooledA = 240.0 / 10_000
        let pooledB = 560.0 / 10_000
        #expect(pooledB > 2 * pooledA)  // pooled totals make B look far better
        let posteriors = PeriodWeightedPosterior.posteriors(periods, arms: 2)
        #expect(abs(posteriors[0].mean - posteriors[1].mean) < 0.002)
        let best = BestArm(posteriors: posteriors).probabilityOfBeingBest()
        #expect(best[0] > 0.2 && best[1] > 0.2)
    }
}
