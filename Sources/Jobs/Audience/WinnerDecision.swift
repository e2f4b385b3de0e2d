import Analytics
import Foundation
import HeraldCore

/// What one look at a test-then-send campaign's test comes to: a winner, or the time of the next look.
///
/// - The campaign's analysis recommends `declare_winner` (on evidence that stays valid however often the test is
///   looked at): that arm wins, chosen by `analysis`.
/// - The deadline (`decide_within` after the test went out) has passed without that: the arm with the highest chance
///   of being best wins (ties: the higher posterior mean), chosen by `deadline`, and the reason says there was no
///   significant difference.
/// - The deadline has passed and no arm has a score (the test made or sent no message): the campaign's first variant
///   for its audience's channel wins, chosen by `deadline`, and the reason says so: a test never waits forever.
/// - Otherwise the test is looked at again after `decide_every`, and at the latest at the deadline.
///
/// Only a variant written for the audience's channel (`candidates`) can win.
public enum WinnerDecision: Sendable, Equatable {
    /// Record `key` as the winner.
    case choose(key: String, chosenBy: String, reason: String)
    /// Look again at this instant.
    case lookAgain(at: Date)

    /// Decides from one look's scoring.
    ///
    /// - Parameters:
    ///   - score: The campaign's analysis at this look (arm ids are variant keys, the control first).
    ///   - look: Which look this is (1 for the first), named in the reason.
    ///   - deadline: When a winner must be chosen; nil while the test has not gone out.
    ///   - every: The time between looks.
    ///   - candidates: The keys of the variants that may win (those written for the audience's channel), in the
    ///     campaign's order; nil: any arm.
    public static func decide(
        score: ScoreResult,
        look: Int,
        deadline: Date?,
        now: Date,
        every: TimeInterval,
        candidates: [String]? = nil
    ) -> WinnerDecision {
        let allowed = { (key: String) in candidates?.contains(key) ?? true }
        if let declared = score.recommendations.first(where: { $0.action == .declareWinner }), let key = declared.arm, allowed(key) {
            let losers = score.arms.map(\.id).filter { $0 != key }
            let pValue = max(0, 1 - declared.confidence)
            return .choose(
                key: key,
                chosenBy: WinnerChoice.byAnalysis,
                reason: "\(key) beat \(losers.joined(separator: ", ")): sequential \(pText(pValue)) at look \(look). \(declared.reason)"
            )
        }
        if let deadline, now >= deadline, let best = leader(score, allowed: allowed) {
            let metric =
                best.trials == 0 ? "no variant had data yet" : "\(best.id) had the highest rate (\(String(format: "%.2f%%", best.rate * 100)))"
            return .choose(
                key: best.id,
                chosenBy: WinnerChoice.byDeadline,
                reason: "deadline passed without a significant difference at look \(look); \(metric), p_best "
                    + String(format: "%.2f", best.pBest)
            )
        }
        if let deadline, now >= deadline, let first = candidates?.first {
            return .choose(
                key: first,
                chosenBy: WinnerChoice.byDeadline,
                reason:
                    "deadline passed at look \(look) and no test message was sent or measured; \(first), the campaign's first variant, goes to the rest"
            )
        }
        let next = now.addingTimeInterval(every)
        return .lookAgain(at: deadline.map { $0 > now ? min(next, $0) : next } ?? next)
    }

    /// The arm with the highest chance of being best, the higher posterior mean among equals, the first among those.
    static func leader(_ score: ScoreResult, allowed: (String) -> Bool = { _ in true }) -> ScoreResult.Arm? {
        var best: ScoreResult.Arm?
        for arm in score.arms where allowed(arm.id) {
            guard let current = best else {
                best = arm
                continue
            }
            if arm.pBest > current.pBest || arm.pBest == current.pBest && arm.posterior.mean > current.posterior.mean { best = arm }
        }
        return best
    }

    /// `p 0.003`, `p < 0.0001`.
    static func pText(_ pValue: Double) -> String {
        pValue < 0.0001 ? "p < 0.0001" : "p " + String(format: "%.3g", pValue)
    }
}
