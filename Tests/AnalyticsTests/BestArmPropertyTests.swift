import PropertyBased
import Testing

@testable import Analytics

struct BestArmPropertyTests {
    /// Random arms: (trials, successes ≤ trials).
    static let armCounts = zip(Gen.int(in: 0...20_000), Gen.double(in: 0...0.2)).map { trials, rate in
        (trials, Int((Double(trials) * rate).rounded()))
    }

    func posteriors(_ counts: [(Int, Int)]) -> [BetaDistribution] {
        counts.map { BetaDistribution(successes: $0.1, trials: $0.0) }
    }

    @Test func probabilityOfBeingBestSumsToOne() async {
        await propertyCheck(count: 60, input: Self.armCounts.array(of: 2...6)) { counts in
            let p = BestArm(posteriors: posteriors(counts)).probabilityOfBeingBest()
            #expect(abs(p.reduce(0, +) - 1) < 1e-6, "\(counts) → \(p)")
            #expect(p.allSatisfy { (0...1).contains($0) })
        }
    }

    @Test func isPermutationEquivariant() async {
        await propertyCheck(count: 40, input: Self.armCounts.array(of: 2...5)) { counts in
            let forward = BestArm(posteriors: posteriors(counts)).probabilityOfBeingBest()
            let backward = BestArm(posteriors: posteriors(counts.reversed())).probabilityOfBeingBest()
            for (a, b) in zip(forward, backward.reversed()) { #expect(abs(a - b) < 1e-7) }
            let lossForward = BestArm(posteriors: posteriors(counts)).expectedLoss()
            let lossBackward = BestArm(posteriors: posteriors(counts.reversed())).expectedLoss()
            for (a, b) in zip(lossForward, lossBackward.reversed()) { #expect(abs(a - b) < 1e-9) }
        }
    }

    @Test func certainWinnerHasNoExpectedLoss() {
        let best = BestArm(posteriors: [BetaDistribution(successes: 10, trials: 100_000), BetaDistribution(successes: 20_000, trials: 100_000)])
        let loss = best.expectedLoss()
        #expect(loss[1] < 1e-12)
        #expect(abs(loss[0] - (0.2 - 0.0001)) < 1e-3)
        #expect(best.probabilityOfBeingBest()[1] > 1 - 1e-9)
    }

    @Test func handlesManyArmsAndJeffreysPrior() {
        let posteriors = (0..<20).map { BetaDistribution(alpha: 0.5 + Double($0), beta: 0.5 + 400) }
        let p = BestArm(posteriors: posteriors).probabilityOfBeingBest()
        #expect(abs(p.reduce(0, +) - 1) < 1e-6)
        #expect(p == p.sorted())
    }

    @Test func credibleIntervalsNestAsAlphaShrinks() async {
        await propertyCheck(count: 50, input: Self.armCounts) { count in
            let posterior = BetaDistribution(successes: count.1, trials: count.0)
            var previous = posterior.credibleInterval(alpha: 0.2)
            for alpha in [0.1, 0.05, 0.01, 0.001] {
                let interval = posterior.credibleInterval(alpha: alpha)
                #expect(interval.lowerBound <= previous.lowerBound + 1e-15 && interval.upperBound >= previous.upperBound - 1e-15)
                previous = interval
            }
        }
    }

    @Test func holmIsMonotoneAndAtLeastRaw() async {
        await propertyCheck(input: Gen.double(in: 0...1).array(of: 1...8)) { pValues in
            let adjusted = MultipleTesting.holm(pValues)
            for (raw, holm) in zip(pValues, adjusted) { #expect(holm >= raw && holm <= 1) }
            let order = pValues.indices.sorted { pValues[$0] < pValues[$1] }
            for (a, b) in zip(order, order.dropFirst()) { #expect(adjusted[a] <= adjusted[b]) }
        }
    }
}
