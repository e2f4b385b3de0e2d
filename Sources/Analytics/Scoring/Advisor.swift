import Foundation

/// Turns scored arms into recommendations a marketer can act on.
///
/// Rules, in order:
/// 1. A sample ratio mismatch blocks every other call: investigate it first.
/// 2. An arm whose always-valid, Holm-adjusted p-value against the control is below α is
///    significantly better or worse. The best of the significantly better arms (by P(best))
///    is declared the winner; significantly worse arms are stopped. If every other arm is
///    significantly worse, the control wins.
/// 3. Otherwise keep testing, naming the current leader and its P(best).
enum Advisor {
    static func recommend(
        arms: [ScoreResult.Arm],
        controlIndex: Int,
        srm: SampleRatioMismatch,
        alpha: Double
    ) -> [Recommendation] {
        if srm.detected {
            return [
                Recommendation(
                    action: .investigateSRM,
                    arm: nil,
                    confidence: 1 - srm.pValue,
                    reason: "Traffic split does not match the plan (chi-square \(pText(srm.pValue))): "
                        + "fix assignment or tracking before trusting any comparison."
                )
            ]
        }
        let control = arms[controlIndex]
        var better: [ScoreResult.Arm] = []
        var worse: [ScoreResult.Arm] = []
        for arm in arms {
            guard let versus = arm.vsControl, let sequential = versus.sequential, sequential.pValueHolm < alpha else {
                continue
            }
            if versus.absolute > 0 { better.append(arm) } else if versus.absolute < 0 { worse.append(arm) }
        }
        var recommendations: [Recommendation] = []
        if let winner = better.max(by: { $0.pBest < $1.pBest }), let versus = winner.vsControl,
            let sequential = versus.sequential
        {
            recommendations.append(
                Recommendation(
                    action: .declareWinner,
                    arm: winner.id,
                    confidence: 1 - sequential.pValueHolm,
                    reason: "\(winner.id) converts at \(percent(winner.rate)) against \(percent(control.rate)) for \(control.id)"
                        + "\(relative(versus.relative)); the lead holds however often the results are checked "
                        + "(always-valid \(pText(sequential.pValueHolm)))."
                )
            )
        } else if !worse.isEmpty, worse.count == arms.count - 1 {
            recommendations.append(
                Recommendation(
                    action: .declareWinner,
                    arm: control.id,
                    confidence: 1 - (worse.compactMap { $0.vsControl?.sequential?.pValueHolm }.max() ?? 0),
                    reason: "\(control.id) (control, \(percent(control.rate))) beats every other variant "
                        + "with evidence that holds however often the results are checked."
                )
            )
        }
        for arm in worse {
            let pValue = arm.vsControl?.sequential?.pValueHolm ?? 1
            recommendations.append(
                Recommendation(
                    action: .stopArm,
                    arm: arm.id,
                    confidence: 1 - pValue,
                    reason: "\(arm.id) converts at \(percent(arm.rate)) against \(percent(control.rate)) for \(control.id)"
                        + "\(relative(arm.vsControl?.relative)); stop sending it (always-valid \(pText(pValue)))."
                )
            )
        }
        if !recommendations.contains(where: { $0.action == .declareWinner }) {
            let leader = arms.max(by: { $0.pBest < $1.pBest })!
            recommendations.append(
                Recommendation(
                    action: .keepTesting,
                    arm: leader.id,
                    confidence: leader.pBest,
                    reason: "\(leader.id) leads at \(percent(leader.rate)) with a \(percent(leader.pBest, digits: 1)) chance of being best, "
                        + "but the gap is not yet large enough to hold up under repeated checking: keep testing."
                )
            )
        }
        return recommendations
    }

    static func percent(_ value: Double, digits: Int = 2) -> String {
        String(format: "%.\(digits)f%%", value * 100)
    }

    static func relative(_ value: Double?) -> String {
        guard let value else { return "" }
        return " (" + (value >= 0 ? "+" : "") + String(format: "%.1f%%", value * 100) + ")"
    }

    /// "p = 0.0123", or "p < 0.0001" for tiny values.
    static func pText(_ pValue: Double) -> String {
        pValue < 0.0001 ? "p < 0.0001" : String(format: "p = %.4f", pValue)
    }
}
