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
    /// Trials every arm needs before any winner, stop or reallocation is advised.
    static let minimumTrials = 100

    /// What the rules need of an arm, whatever the metric.
    struct Arm {
        var id: String
        /// Trials (or units) so far.
        var trials: Int
        /// The observed rate or mean.
        var value: Double
        var pBest: Double
        /// Against the control; nil for the control itself.
        var absolute: Double?
        var relative: Double?
        var sequentialPValue: Double?
    }

    static func recommend(
        arms: [Arm],
        controlIndex: Int,
        srm: SampleRatioMismatch,
        alpha: Double,
        verb: String = "converts at",
        describe: (Double) -> String = { percent($0) }
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
        // Guard rail: no call of any kind on a handful of impressions, however extreme it looks.
        if let thinnest = arms.min(by: { $0.trials < $1.trials }), thinnest.trials < minimumTrials {
            let leader = arms.max(by: { $0.pBest < $1.pBest })!
            return [
                Recommendation(
                    action: .keepTesting,
                    arm: leader.id,
                    confidence: leader.pBest,
                    reason: "Too little data to call anything yet: every variant needs at least \(minimumTrials) impressions "
                        + "(\(thinnest.id) has \(thinnest.trials))."
                )
            ]
        }
        let control = arms[controlIndex]
        var better: [Arm] = []
        var worse: [Arm] = []
        for arm in arms {
            guard let absolute = arm.absolute, let pValue = arm.sequentialPValue, pValue < alpha else { continue }
            if absolute > 0 { better.append(arm) } else if absolute < 0 { worse.append(arm) }
        }
        var recommendations: [Recommendation] = []
        if let winner = better.max(by: { $0.pBest < $1.pBest }), let pValue = winner.sequentialPValue {
            recommendations.append(
                Recommendation(
                    action: .declareWinner,
                    arm: winner.id,
                    confidence: 1 - pValue,
                    reason: "\(winner.id) \(verb) \(describe(winner.value)) against \(describe(control.value)) for \(control.id)"
                        + "\(relative(winner.relative)); the lead holds however often the results are checked "
                        + "(always-valid \(pText(pValue)))."
                )
            )
        } else if !worse.isEmpty, worse.count == arms.count - 1 {
            recommendations.append(
                Recommendation(
                    action: .declareWinner,
                    arm: control.id,
                    confidence: 1 - (worse.compactMap(\.sequentialPValue).max() ?? 0),
                    reason: "\(control.id) (control, \(describe(control.value))) beats every other variant "
                        + "with evidence that holds however often the results are checked."
                )
            )
        }
        for arm in worse {
            let pValue = arm.sequentialPValue ?? 1
            recommendations.append(
                Recommendation(
                    action: .stopArm,
                    arm: arm.id,
                    confidence: 1 - pValue,
                    reason: "\(arm.id) \(verb) \(describe(arm.value)) against \(describe(control.value)) for \(control.id)"
                        + "\(relative(arm.relative)); stop sending it (always-valid \(pText(pValue)))."
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
                    reason: "\(leader.id) leads at \(describe(leader.value)) with a \(percent(leader.pBest, digits: 1)) chance of being best, "
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

    /// A `reallocate` recommendation when no winner is declared and the exact Thompson split differs from the current one.
    static func reallocation(_ allocation: Allocation, ids: [String], current: [Double?], recommendations: [Recommendation]) -> [Recommendation] {
        guard allocation.adapted, !recommendations.contains(where: { $0.action == .declareWinner || $0.action == .investigateSRM }) else {
            return []
        }
        let weightSum = current.compactMap { $0 }.reduce(0, +)
        let now = current.map { weight in weight.map { $0 / max(weightSum, 1e-300) } ?? 1 / Double(ids.count) }
        guard zip(allocation.shares, now).contains(where: { abs($0 - $1) > 0.05 }) else { return [] }
        let split = zip(ids, allocation.shares).map { "\($0) \(percent($1, digits: 0))" }.joined(separator: ", ")
        let leader = zip(ids, allocation.shares).max { $0.1 < $1.1 }!
        return [
            Recommendation(
                action: .reallocate,
                arm: leader.0,
                confidence: leader.1,
                reason:
                    "Send more traffic to the likely winners while the test runs: \(split) (each share is its chance of being best, with a 5% floor)."
            )
        ]
    }

    static func grouped(_ value: Int) -> String {
        var result = ""
        for (index, character) in String(value).reversed().enumerated() {
            if index > 0 && index % 3 == 0 { result.append(",") }
            result.append(character)
        }
        return String(result.reversed())
    }
}
