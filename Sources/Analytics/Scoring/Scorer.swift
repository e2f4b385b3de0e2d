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

        /// The group-sequential test at the last look: repeated p-value and repeated confidence interval.
        init(groupSequential design: GroupSequentialDesign, difference: Double, variance: Double) {
            let standardError = variance.squareRoot()
            let z = standardError > 0 ? difference / standardError : 0
            let boundary = design.boundaries.last!
            pValue = standardError > 0 ? design.pValue(z: z) : 1
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
        static func make(design: GroupSequentialDesign?, difference: Double, variance: Double, sampleSize: Int, alpha: Double) -> SequentialResult {
            if let design { return SequentialResult(groupSequential: design, difference: difference, variance: variance) }
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
                sampleSize: arm.trials + control.trials, alpha: alpha
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
        let recommendations = Advisor.recommend(
            arms: arms.map {
                Advisor.Arm(
                    id: $0.id, value: $0.rate, pBest: $0.pBest, absolute: $0.vsControl?.absolute, relative: $0.vsControl?.relative,
                    sequentialPValue: $0.vsControl?.sequential?.pValueHolm
                )
            },
            controlIndex: controlIndex,
            srm: srm,
            alpha: alpha
        )
        return ScoreResult(
            arms: arms,
            srm: ScoreResult.SRM(pValue: srm.pValue, detected: srm.detected),
            recommendations: recommendations
        )
    }
}
