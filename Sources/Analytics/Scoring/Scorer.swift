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

    /// Scores `input` after validating it.
    public static func score(_ input: ScoreInput) throws(ValidationError) -> ScoreResult {
        try input.validate()
        let prior = input.prior ?? ScoreInput.Prior(alpha: 1, beta: 1)
        let comparisons = ArmComparisons(
            ids: input.arms.map(\.id),
            control: input.control,
            sampleSizes: input.arms.map(\.trials),
            weights: input.arms.map(\.weight),
            assigned: input.arms.contains { $0.assigned != nil } ? input.arms.map { $0.assigned ?? $0.trials } : nil,
            design: input.design,
            alpha: input.alpha
        ) { index, controlIndex, alpha in
            TwoProportionTest(
                treatment: (input.arms[index].successes, input.arms[index].trials),
                control: (input.arms[controlIndex].successes, input.arms[controlIndex].trials),
                alpha: alpha
            )
        }
        let alpha = comparisons.alpha
        let controlIndex = comparisons.controlIndex
        let control = input.arms[controlIndex]

        let posteriors = input.arms.map {
            BetaDistribution(successes: $0.successes, trials: $0.trials, prior: (prior.alpha, prior.beta))
        }
        let best = BestArm(posteriors: posteriors)
        let pBest = best.probabilityOfBeingBest()
        let loss = best.expectedLoss()

        var arms: [ScoreResult.Arm] = []
        for (index, arm) in input.arms.enumerated() {
            let posterior = posteriors[index]
            let interval = posterior.credibleInterval(alpha: alpha)
            let versus = comparisons[index].map { comparison in
                ScoreResult.VersusControl(
                    absolute: comparison.test.absoluteDifference,
                    relative: comparison.test.relativeDifference,
                    ci: [comparison.test.interval.lowerBound, comparison.test.interval.upperBound],
                    pValue: comparison.test.pValue,
                    pValueHolm: comparison.pValueHolm,
                    pValueBH: comparison.pValueBH,
                    relativeCI: RateIntervals.relativeLift(
                        treatment: (arm.successes, arm.trials),
                        control: (control.successes, control.trials),
                        alpha: alpha
                    ).map { [$0.lowerBound, $0.upperBound] },
                    sequential: comparison.sequential
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

        let stopped = Set(arms.filter { ($0.vsControl?.sequential?.pValueHolm ?? 1) < alpha && ($0.vsControl?.absolute ?? 0) < 0 }.map(\.id))
        let allocation = Allocation(
            probabilityOfBeingBest: pBest,
            trials: input.arms.map(\.trials),
            live: input.arms.map { !stopped.contains($0.id) }
        )
        var recommendations = Advisor.recommend(
            arms: arms.indices.map {
                comparisons.advisorArm($0, id: arms[$0].id, trials: arms[$0].trials, value: arms[$0].rate, pBest: arms[$0].pBest)
            },
            controlIndex: controlIndex,
            srm: comparisons.srm,
            alpha: alpha
        )
        recommendations += Advisor.reallocation(
            allocation,
            ids: input.arms.map(\.id),
            current: input.arms.map { $0.weight },
            recommendations: recommendations
        )
        if let index = recommendations.firstIndex(where: { $0.action == .keepTesting }), comparisons.design?.hasEnded != true,
            let needed = Self.impressionsStillNeeded(input: input, controlIndex: controlIndex, alpha: alpha, design: comparisons.design)
        {
            recommendations[index].reason += " About \(Advisor.grouped(needed)) more impressions per variant should settle it if the gap holds."
        }
        if let design = comparisons.design, let planned = input.design?.horizon,
            let note = Self.finalAnalysisNote(design, total: input.arms.map(\.trials).reduce(0, +), planned: planned)
        {
            for index in recommendations.indices where recommendations[index].action != .reallocate {
                recommendations[index].reason += note
            }
        }
        return ScoreResult(
            arms: arms,
            srm: ScoreResult.SRM(comparisons.srm),
            allocation: Dictionary(uniqueKeysWithValues: zip(input.arms.map(\.id), allocation.shares)),
            recommendations: recommendations
        )
    }

    /// What the report says when the planned test reached its horizon: this look is the final analysis, or the
    /// final analysis came at an earlier look and this one cannot declare anything; nil before the horizon.
    static func finalAnalysisNote(_ design: GroupSequentialDesign, total: Int, planned: Int) -> String? {
        if design.isFinal {
            return " This is the final analysis: \(Advisor.grouped(total)) trials reach the planned \(Advisor.grouped(planned)), "
                + "so the test spends what is left of its error rate."
        }
        guard design.hasEnded else { return nil }
        let final = Int((design.fractions.last! * Double(planned)).rounded())
        return " The test ended at its final analysis (\(Advisor.grouped(final)) trials, past the planned \(Advisor.grouped(planned))): "
            + "its error rate is spent, so these later counts cannot declare a winner or stop an arm; "
            + "the verdict is that analysis's."
    }

    /// Impressions per arm still needed for the leading arm's gap to the control (or, when the gap is
    /// tiny, a 10% relative lift) to cross the decision boundary; nil when the leader is the control.
    static func impressionsStillNeeded(input: ScoreInput, controlIndex: Int, alpha: Double, design: GroupSequentialDesign?) -> Int? {
        let control = input.arms[controlIndex]
        guard control.trials > 0 else { return nil }
        let controlRate = Double(control.successes) / Double(control.trials)
        let leader = input.arms.enumerated().filter { $0.offset != controlIndex }
            .max {
                Double($0.element.successes) / Double(max($0.element.trials, 1)) < Double($1.element.successes) / Double(max($1.element.trials, 1))
            }
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
