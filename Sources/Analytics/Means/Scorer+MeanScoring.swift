import Foundation
import HeraldCore

extension Scorer {
    /// Scores mean metrics (comments per impression, revenue per impression) from sufficient statistics.
    public static func score(_ input: MeanScoreInput) throws(ValidationError) -> MeanScoreResult {
        try input.validate()
        let summaries = input.arms.map { MeanSummary(n: $0.n, sum: $0.sum, sumSquares: $0.sumSquares) }
        let comparisons = ArmComparisons(
            ids: input.arms.map(\.id),
            control: input.control,
            sampleSizes: summaries.map(\.n),
            weights: input.arms.map(\.weight),
            design: input.design,
            alpha: input.alpha
        ) { index, controlIndex, alpha in
            WelchTest(treatment: summaries[index], control: summaries[controlIndex], alpha: alpha)
        }
        let alpha = comparisons.alpha
        let posteriors = summaries.map { NormalDistribution(mean: $0.mean, standardDeviation: $0.varianceOfMean.squareRoot()) }
        let best = BestArm(posteriors: posteriors)
        let pBest = best.probabilityOfBeingBest()
        let loss = best.expectedLoss()
        let z = Normal.quantile(1 - alpha / 2)
        var arms: [MeanScoreResult.Arm] = []
        for (index, arm) in input.arms.enumerated() {
            let summary = summaries[index]
            let posterior = posteriors[index]
            let versus = comparisons[index].map { comparison in
                MeanScoreResult.VersusControl(
                    absolute: comparison.test.difference,
                    relative: comparison.test.relative,
                    ci: [comparison.test.interval.lowerBound, comparison.test.interval.upperBound],
                    relativeCI: comparison.test.relativeInterval.map { [$0.lowerBound, $0.upperBound] },
                    pValue: comparison.test.pValue,
                    pValueHolm: comparison.pValueHolm,
                    pValueBH: comparison.pValueBH,
                    degreesOfFreedom: comparison.test.degreesOfFreedom,
                    sequential: comparison.sequential
                )
            }
            arms.append(
                MeanScoreResult.Arm(
                    id: arm.id,
                    n: summary.n,
                    mean: summary.mean,
                    sd: summary.variance.squareRoot(),
                    posterior: .init(
                        mean: posterior.mean,
                        sd: posterior.standardDeviation,
                        ci: [posterior.mean - z * posterior.standardDeviation, posterior.mean + z * posterior.standardDeviation]
                    ),
                    pBest: pBest[index],
                    expectedLoss: loss[index],
                    vsControl: versus
                )
            )
        }
        var recommendations = Advisor.recommend(
            arms: arms.indices.map { comparisons.advisorArm($0, id: arms[$0].id, trials: arms[$0].n, value: arms[$0].mean, pBest: arms[$0].pBest) },
            controlIndex: comparisons.controlIndex,
            srm: comparisons.srm,
            alpha: alpha,
            verb: "averages",
            describe: { String(format: "%.4f", $0) }
        )
        if let design = comparisons.design, let planned = input.design?.horizon,
            let note = finalAnalysisNote(design, total: summaries.map(\.n).reduce(0, +), planned: planned)
        {
            for index in recommendations.indices { recommendations[index].reason += note }
        }
        return MeanScoreResult(arms: arms, srm: ScoreResult.SRM(comparisons.srm), recommendations: recommendations)
    }
}
