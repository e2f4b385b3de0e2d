import Foundation
import HeraldCore

/// Scores binomial arms: posteriors, P(best), expected loss, tests against the control, SRM, and advice.
///
/// Decisions rest on the always-valid confidence sequence (Holm-adjusted across arms), so a
/// winner declared after any number of looks is still a valid call; P(best) picks which of
/// several significant arms to name.
public enum Scorer {
    /// The sample size at which the confidence sequence is tightest when no design is given (total of both arms).
    public static let defaultTuningSampleSize = 10_000.0

    /// A sequential comparison's outcome, whichever method made it.
    struct SequentialResult {
        var pValue: Double
        var interval: ClosedRange<Double>
        var method: String

        init(pValue: Double, interval: ClosedRange<Double>, method: String) {
            self.pValue = pValue
            self.interval = interval
            self.method = method
        }

        /// The group-sequential test at the last look: stage-wise p-value (z from `testVariance`, the
        /// variance under the null) and repeated confidence interval (from `variance`).
        init(groupSequential design: GroupSequentialDesign, difference: Double, variance: Double, testVariance: Double) {
            let standardError = variance.squareRoot()
            let testError = testVariance.squareRoot()
            let boundary = design.boundaries.last!
            pValue = testError > 0 ? design.pValue(z: difference / testError) : 1
            interval = (difference - boundary * standardError)...(difference + boundary * standardError)
            method = "group_sequential"
        }

        /// The always-valid confidence sequence.
        init(confidenceSequenceFor difference: Double, variance: Double, sampleSize: Int, alpha: Double) {
            let sequence = ConfidenceSequence(
                difference: difference, variance: variance, sampleSize: sampleSize, alpha: alpha, tuningSampleSize: defaultTuningSampleSize
            )
            self.init(pValue: sequence.pValue, interval: sequence.interval, method: "confidence_sequence")
        }

        /// Either method: group-sequential when the test was planned, always-valid otherwise.
        static func make(
            design: GroupSequentialDesign?, difference: Double, variance: Double, testVariance: Double? = nil, sampleSize: Int, alpha: Double
        ) -> SequentialResult {
            if let design {
                return SequentialResult(groupSequential: design, difference: difference, variance: variance, testVariance: testVariance ?? variance)
            }
            return SequentialResult(confidenceSequenceFor: difference, variance: variance, sampleSize: sampleSize, alpha: alpha)
        }
    }

    /// Scores `input` after validating it.
    public static func score(_ input: ScoreInput) throws(ValidationError) -> ScoreResult {
        try input.validate()
        let alpha = input.alpha ?? 0.05
        let prior = input.prior ?? ScoreInput.Prior(alpha: 1, beta: 1)
        let controlIndex = input.control.flatMap { id in input.arms.firstIndex { $0.id == id } } ?? 0
        let control = input.arms[controlIndex]
        let tuning = input.design.map { Double($0.horizon) } ?? defaultTuningSampleSize

        let posteriors = input.arms.map {
            BetaDistribution(successes: $0.successes, trials: $0.trials, prior: (prior.alpha, prior.beta))
        }
        let best = BestArm(posteriors: posteriors)
        let pBest = best.probabilityOfBeingBest()
        let loss = best.expectedLoss()

        let treatmentIndexes = input.arms.indices.filter { $0 != controlIndex }
        // With a planned design, the looks so far get group-sequential boundaries; without, an always-valid sequence.
        let design = input.design.map { design in
            GroupSequentialDesign(
                horizon: design.horizon, earlierLooks: design.looks ?? [], current: input.arms.map(\.trials).reduce(0, +), alpha: alpha
            )
        }
        var tests: [Int: TwoProportionTest] = [:]
        var sequences: [Int: SequentialResult] = [:]
        for index in treatmentIndexes {
            let arm = input.arms[index]
            let test = TwoProportionTest(
                treatment: (arm.successes, arm.trials),
                control: (control.successes, control.trials),
                alpha: alpha
            )
            tests[index] = test
            sequences[index] = SequentialResult.make(
                design: design, difference: test.absoluteDifference, variance: test.unpooledVariance,
                testVariance: test.pooledVariance, sampleSize: arm.trials + control.trials, alpha: alpha
            )
        }
        let holm = MultipleTesting.holm(treatmentIndexes.map { tests[$0]!.pValue })
        let benjaminiHochberg = MultipleTesting.benjaminiHochberg(treatmentIndexes.map { tests[$0]!.pValue })
        let sequentialHolm = MultipleTesting.holm(treatmentIndexes.map { sequences[$0]!.pValue })

        var arms: [ScoreResult.Arm] = []
        for (index, arm) in input.arms.enumerated() {
            let posterior = posteriors[index]
            let interval = posterior.credibleInterval(alpha: alpha)
            var versus: ScoreResult.VersusControl?
            if let test = tests[index], let sequence = sequences[index],
                let position = treatmentIndexes.firstIndex(of: index)
            {
                versus = ScoreResult.VersusControl(
                    absolute: test.absoluteDifference,
                    relative: test.relativeDifference,
                    ci: [test.interval.lowerBound, test.interval.upperBound],
                    pValue: test.pValue,
                    pValueHolm: holm[position],
                    pValueBH: benjaminiHochberg[position],
                    relativeCI: RateIntervals.relativeLift(
                        treatment: (arm.successes, arm.trials), control: (control.successes, control.trials), alpha: alpha
                    ).map { [$0.lowerBound, $0.upperBound] },
                    sequential: ScoreResult.Sequential(
                        pValue: sequence.pValue,
                        pValueHolm: sequentialHolm[position],
                        ci: [sequence.interval.lowerBound, sequence.interval.upperBound],
                        method: sequence.method
                    )
                )
            }
            arms.append(
                ScoreResult.Arm(
                    id: arm.id,
                    trials: arm.trials,
                    successes: arm.successes,
                    rate: arm.trials > 0 ? Double(arm.successes) / Double(arm.trials) : 0,
                    wilsonCI: {
                        let wilson = RateIntervals.wilson(successes: arm.successes, trials: arm.trials, alpha: alpha)
                        return [wilson.lowerBound, wilson.upperBound]
                    }(),
                    posterior: ScoreResult.Posterior(
                        alpha: posterior.alpha,
                        beta: posterior.beta,
                        mean: posterior.mean,
                        ci: [interval.lowerBound, interval.upperBound]
                    ),
                    pBest: pBest[index],
                    expectedLoss: loss[index],
                    vsControl: versus
                )
            )
        }

        let srm = SampleRatioMismatch(
            trials: input.arms.map(\.trials),
            weights: input.arms.first?.weight == nil ? nil : input.arms.map { $0.weight ?? 0 }
        )
        let stopped = Set(arms.filter { ($0.vsControl?.sequential?.pValueHolm ?? 1) < alpha && ($0.vsControl?.absolute ?? 0) < 0 }.map(\.id))
        let allocation = Allocation(
            probabilityOfBeingBest: pBest, trials: input.arms.map(\.trials), live: input.arms.map { !stopped.contains($0.id) }
        )
        var recommendations = Advisor.recommend(
            arms: arms.map {
                Advisor.Arm(
                    id: $0.id, trials: $0.trials, value: $0.rate, pBest: $0.pBest, absolute: $0.vsControl?.absolute, relative: $0.vsControl?.relative,
                    sequentialPValue: $0.vsControl?.sequential?.pValueHolm
                )
            },
            controlIndex: controlIndex,
            srm: srm,
            alpha: alpha
        )
        recommendations += Advisor.reallocation(
            allocation, ids: input.arms.map(\.id), current: input.arms.map { $0.weight }, recommendations: recommendations
        )
        if let index = recommendations.firstIndex(where: { $0.action == .keepTesting }),
            let needed = Self.impressionsStillNeeded(input: input, controlIndex: controlIndex, alpha: alpha, design: design)
        {
            recommendations[index].reason += " About \(Advisor.grouped(needed)) more impressions per variant should settle it if the gap holds."
        }
        return ScoreResult(
            arms: arms,
            srm: ScoreResult.SRM(srm),
            allocation: Dictionary(uniqueKeysWithValues: zip(input.arms.map(\.id), allocation.shares)),
            recommendations: recommendations
        )
    }

    /// Impressions per arm still needed for the leading arm's gap to the control (or, when the gap is
    /// tiny, a 10% relative lift) to cross the decision boundary; nil when the leader is the control.
    static func impressionsStillNeeded(input: ScoreInput, controlIndex: Int, alpha: Double, design: GroupSequentialDesign?) -> Int? {
        let control = input.arms[controlIndex]
        guard control.trials > 0 else { return nil }
        let controlRate = Double(control.successes) / Double(control.trials)
        let leader = input.arms.enumerated().filter { $0.offset != controlIndex }
            .max { Double($0.element.successes) / Double(max($0.element.trials, 1)) < Double($1.element.successes) / Double(max($1.element.trials, 1)) }
        guard let leader, leader.element.trials > 0 else { return nil }
        let leaderRate = Double(leader.element.successes) / Double(leader.element.trials)
        let gap = max(abs(leaderRate - controlRate), 0.1 * controlRate)
        guard gap > 0 else { return nil }
        // Final boundary of the plan, or about 3 standard errors for an always-valid sequence at moderate samples.
        let boundary = design?.boundaries.last ?? 3.0
        let pooled = (leaderRate + controlRate) / 2
        let perArm = 2 * pooled * (1 - pooled) * pow(boundary / gap, 2)
        let more = Int(perArm.rounded(.up)) - min(leader.element.trials, control.trials)
        return more > 0 ? more : nil
    }
}

extension ScoreResult {
    /// Replaces the traffic split (and the `reallocate` advice built on it) with `allocation`,
    /// e.g. one computed from period-weighted rates.
    public mutating func apply(_ allocation: Allocation, ids: [String]) {
        self.allocation = Dictionary(uniqueKeysWithValues: zip(ids, allocation.shares))
        recommendations.removeAll { $0.action == .reallocate }
        recommendations += Advisor.reallocation(allocation, ids: ids, current: ids.map { _ in nil }, recommendations: recommendations)
    }

    /// The ids of arms advised to stop.
    public var stoppedArms: Set<String> {
        Set(recommendations.filter { $0.action == .stopArm }.compactMap(\.arm))
    }
}
