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
