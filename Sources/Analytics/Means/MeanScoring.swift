import Foundation
import HeraldCore

/// `herald score --metric mean` input: per arm the sufficient statistics of a count or revenue metric.
///
/// `{"control": "A", "arms": [{"id": "A", "n": 10000, "sum": 512.5, "sum_squares": 20144.3, "weight": 0.5}, ...],
///   "alpha": 0.05, "design": {...}}`
public struct MeanScoreInput: Codable, Sendable, Equatable {
    public struct Arm: Codable, Sendable, Equatable {
        public var id: String
        public var n: Int
        public var sum: Double
        public var sumSquares: Double
        public var weight: Double?

        enum CodingKeys: String, CodingKey {
            case id, n, sum, weight
            case sumSquares = "sum_squares"
        }

        public init(id: String, n: Int, sum: Double, sumSquares: Double, weight: Double? = nil) {
            self.id = id
            self.n = n
            self.sum = sum
            self.sumSquares = sumSquares
            self.weight = weight
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decode(String.self, forKey: .id)
            n = try container.decodeWholeNumber(forKey: .n)
            sum = try container.decode(Double.self, forKey: .sum)
            sumSquares = try container.decode(Double.self, forKey: .sumSquares)
            weight = try container.decodeIfPresent(Double.self, forKey: .weight)
        }
    }

    public var control: String?
    public var arms: [Arm]
    public var alpha: Double?
    public var design: ScoreInput.Design?

    public init(control: String? = nil, arms: [Arm], alpha: Double? = nil, design: ScoreInput.Design? = nil) {
        self.control = control
        self.arms = arms
        self.alpha = alpha
        self.design = design
    }

    /// Checks the statistics; the error names the field.
    public func validate() throws(ValidationError) {
        // The shared checks (arm count, unique ids, control, alpha, weights, design) as binomial input.
        try ScoreInput(
            control: control,
            arms: arms.map { ScoreInput.Arm(id: $0.id, trials: max($0.n, 0), successes: 0, weight: $0.weight) },
            alpha: alpha,
            design: design
        ).validate()
        for (index, arm) in arms.enumerated() {
            guard arm.n >= 0 else { throw ValidationError(field: "arms[\(index)].n", reason: "must not be negative, found \(arm.n)") }
            guard arm.sum.isFinite, arm.sumSquares.isFinite else {
                throw ValidationError(field: "arms[\(index)].sum", reason: "sum and sum_squares must be finite numbers")
            }
            guard arm.sumSquares >= 0 else {
                throw ValidationError(field: "arms[\(index)].sum_squares", reason: "must not be negative, found \(arm.sumSquares)")
            }
            // Cauchy–Schwarz: sum² ≤ n · sum of squares for any real values.
            guard arm.sum * arm.sum <= Double(arm.n) * arm.sumSquares * (1 + 1e-9) + 1e-9 else {
                throw ValidationError(
                    field: "arms[\(index)].sum_squares",
                    reason: "\(arm.sumSquares) is too small for n = \(arm.n) and sum = \(arm.sum) (needs sum² ≤ n·sum_squares)"
                )
            }
        }
    }
}

/// What `herald score --metric mean` answers.
public struct MeanScoreResult: Codable, Sendable, Equatable {
    public struct Posterior: Codable, Sendable, Equatable {
        public var mean: Double
        public var sd: Double
        public var ci: [Double]
    }

    public struct VersusControl: Codable, Sendable, Equatable {
        public var absolute: Double
        public var relative: Double?
        /// Welch interval of the difference.
        public var ci: [Double]
        /// Delta-method interval of the relative lift.
        public var relativeCI: [Double]?
        /// Welch's t-test, two-sided.
        public var pValue: Double
        public var pValueHolm: Double
        public var pValueBH: Double
        public var degreesOfFreedom: Double
        public var sequential: ScoreResult.Sequential

        enum CodingKeys: String, CodingKey {
            case absolute, relative, ci, sequential
            case relativeCI = "relative_ci"
            case pValue = "p_value"
            case pValueHolm = "p_value_holm"
            case pValueBH = "p_value_bh"
            case degreesOfFreedom = "df"
        }
    }

    public struct Arm: Codable, Sendable, Equatable {
        public var id: String
        public var n: Int
        public var mean: Double
        public var sd: Double
        /// Normal posterior of the mean under a flat prior.
        public var posterior: Posterior
        public var pBest: Double
        public var expectedLoss: Double
        public var vsControl: VersusControl?

        enum CodingKeys: String, CodingKey {
            case id, n, mean, sd, posterior
            case pBest = "p_best"
            case expectedLoss = "expected_loss"
            case vsControl = "vs_control"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(n, forKey: .n)
            try container.encode(mean, forKey: .mean)
            try container.encode(sd, forKey: .sd)
            try container.encode(posterior, forKey: .posterior)
            try container.encode(pBest, forKey: .pBest)
            try container.encode(expectedLoss, forKey: .expectedLoss)
            try container.encode(vsControl, forKey: .vsControl)
        }
    }

    public var metric = "mean"
    public var arms: [Arm]
    public var srm: ScoreResult.SRM
    public var recommendations: [Recommendation]
}

extension Scorer {
    /// Scores mean metrics (comments per impression, revenue per impression) from sufficient statistics.
    public static func score(_ input: MeanScoreInput) throws(ValidationError) -> MeanScoreResult {
        try input.validate()
        let alpha = input.alpha ?? 0.05
        let controlIndex = input.control.flatMap { id in input.arms.firstIndex { $0.id == id } } ?? 0
        let summaries = input.arms.map { MeanSummary(n: $0.n, sum: $0.sum, sumSquares: $0.sumSquares) }
        let control = summaries[controlIndex]
        let posteriors = summaries.map { NormalDistribution(mean: $0.mean, standardDeviation: $0.varianceOfMean.squareRoot()) }
        let best = BestArm(posteriors: posteriors)
        let pBest = best.probabilityOfBeingBest()
        let loss = best.expectedLoss()
        let design = input.design.map {
            GroupSequentialDesign(horizon: $0.horizon, earlierLooks: $0.looks ?? [], current: input.arms.map(\.n).reduce(0, +), alpha: alpha)
        }
        let treatments = input.arms.indices.filter { $0 != controlIndex }
        let tests = Dictionary(uniqueKeysWithValues: treatments.map { ($0, WelchTest(treatment: summaries[$0], control: control, alpha: alpha)) })
        let sequences = Dictionary(uniqueKeysWithValues: treatments.map { index in
            (index, SequentialResult.make(
                design: design, difference: tests[index]!.difference, variance: tests[index]!.variance,
                sampleSize: summaries[index].n + control.n, alpha: alpha
            ))
        })
        let holm = MultipleTesting.holm(treatments.map { tests[$0]!.pValue })
        let benjaminiHochberg = MultipleTesting.benjaminiHochberg(treatments.map { tests[$0]!.pValue })
        let sequentialHolm = MultipleTesting.holm(treatments.map { sequences[$0]!.pValue })
        let z = Normal.quantile(1 - alpha / 2)
        var arms: [MeanScoreResult.Arm] = []
        for (index, arm) in input.arms.enumerated() {
            let summary = summaries[index]
            let posterior = posteriors[index]
            var versus: MeanScoreResult.VersusControl?
            if let test = tests[index], let sequence = sequences[index], let position = treatments.firstIndex(of: index) {
                versus = MeanScoreResult.VersusControl(
                    absolute: test.difference, relative: test.relative,
                    ci: [test.interval.lowerBound, test.interval.upperBound],
                    relativeCI: test.relativeInterval.map { [$0.lowerBound, $0.upperBound] },
                    pValue: test.pValue, pValueHolm: holm[position], pValueBH: benjaminiHochberg[position],
                    degreesOfFreedom: test.degreesOfFreedom,
                    sequential: ScoreResult.Sequential(
                        pValue: sequence.pValue, pValueHolm: sequentialHolm[position],
                        ci: [sequence.interval.lowerBound, sequence.interval.upperBound], method: sequence.method
                    )
                )
            }
            arms.append(
                MeanScoreResult.Arm(
                    id: arm.id, n: summary.n, mean: summary.mean, sd: summary.variance.squareRoot(),
                    posterior: .init(
                        mean: posterior.mean, sd: posterior.standardDeviation,
                        ci: [posterior.mean - z * posterior.standardDeviation, posterior.mean + z * posterior.standardDeviation]
                    ),
                    pBest: pBest[index], expectedLoss: loss[index], vsControl: versus
                )
            )
        }
        let srm = SampleRatioMismatch(trials: input.arms.map(\.n), weights: input.arms.first?.weight == nil ? nil : input.arms.map { $0.weight ?? 0 })
        let recommendations = Advisor.recommend(
            arms: arms.map {
                Advisor.Arm(
                    id: $0.id, trials: $0.n, value: $0.mean, pBest: $0.pBest, absolute: $0.vsControl?.absolute, relative: $0.vsControl?.relative,
                    sequentialPValue: $0.vsControl?.sequential.pValueHolm
                )
            },
            controlIndex: controlIndex, srm: srm, alpha: alpha, verb: "averages", describe: { String(format: "%.4f", $0) }
        )
        return MeanScoreResult(arms: arms, srm: ScoreResult.SRM(srm), recommendations: recommendations)
    }
}
