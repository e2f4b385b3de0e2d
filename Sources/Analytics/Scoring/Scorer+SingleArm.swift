import Foundation
import HeraldCore

extension Scorer {
    /// The measurement of a campaign with one variant: its rate with a Wilson interval and its Beta posterior, no
    /// comparison, no split check, and one recommendation saying there is nothing to test.
    ///
    /// `herald score` still needs two arms (a comparison is what it answers); campaign analysis uses this for a
    /// single-variant campaign, which is scheduled and measured without a test.
    public static func measure(_ arm: ScoreInput.Arm, alpha: Double = 0.05, prior: ScoreInput.Prior = .init(alpha: 1, beta: 1)) -> ScoreResult {
        let posterior = BetaDistribution(successes: arm.successes, trials: arm.trials, prior: (prior.alpha, prior.beta))
        let interval = posterior.credibleInterval(alpha: alpha)
        let wilson = RateIntervals.wilson(successes: arm.successes, trials: arm.trials, alpha: alpha)
        let rate = arm.trials > 0 ? Double(arm.successes) / Double(arm.trials) : 0
        let measured = ScoreResult.Arm(
            id: arm.id,
            trials: arm.trials,
            successes: arm.successes,
            rate: rate,
            wilsonCI: [wilson.lowerBound, wilson.upperBound],
            posterior: ScoreResult.Posterior(
                alpha: posterior.alpha,
                beta: posterior.beta,
                mean: posterior.mean,
                ci: [interval.lowerBound, interval.upperBound]
            ),
            pBest: 1,
            expectedLoss: 0,
            vsControl: nil
        )
        let percent = { (value: Double) in String(format: "%.2f%%", value * 100) }
        return ScoreResult(
            arms: [measured],
            srm: ScoreResult.SRM(pValue: 1, detected: false, sequentialPValue: 1),
            allocation: [arm.id: 1],
            recommendations: [
                Recommendation(
                    action: .keepTesting,
                    arm: arm.id,
                    confidence: 0,
                    reason:
                        "One variant: measured, not tested (\(percent(rate)), \(percent(wilson.lowerBound)) to \(percent(wilson.upperBound)) at \(Int(((1 - alpha) * 100).rounded()))%). Add a variant to compare."
                )
            ]
        )
    }
}

extension ScoreResult.SRM {
    /// A split check with nothing to check (one arm).
    init(pValue: Double, detected: Bool, sequentialPValue: Double) {
        self.pValue = pValue
        self.detected = detected
        self.sequentialPValue = sequentialPValue
    }
}
