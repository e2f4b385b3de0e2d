/// What `herald score` answers; the shape is a contract (see ARCHITECTURE.md).
public struct ScoreResult: Codable, Sendable, Equatable {
    /// A Beta posterior summary.
    public struct Posterior: Codable, Sendable, Equatable {
        public var alpha: Double
        public var beta: Double
        public var mean: Double
        /// Equal-tailed 1 − α credible interval.
        public var ci: [Double]
    }

    /// The always-valid comparison with the control.
    public struct Sequential: Codable, Sendable, Equatable {
        public var pValue: Double
        /// Holm-adjusted across the non-control arms: what decisions use.
        public var pValueHolm: Double
        public var ci: [Double]
        /// The method, e.g. `confidence_sequence`.
        public var method: String

        enum CodingKeys: String, CodingKey {
            case ci, method
            case pValue = "p_value"
            case pValueHolm = "p_value_holm"
        }
    }

    /// Comparison of an arm with the control.
    public struct VersusControl: Codable, Sendable, Equatable {
        public var absolute: Double
        public var relative: Double?
        /// Wald interval of the absolute difference.
        public var ci: [Double]
        /// Pooled two-proportion z-test, two-sided.
        public var pValue: Double
        public var pValueHolm: Double
        /// Benjamini–Hochberg across the non-control arms.
        public var pValueBH: Double
        /// Log-ratio interval of the relative lift; nil when an arm has no successes.
        public var relativeCI: [Double]?
        public var sequential: Sequential?

        enum CodingKeys: String, CodingKey {
            case absolute, relative, ci, sequential
            case pValue = "p_value"
            case pValueHolm = "p_value_holm"
            case pValueBH = "p_value_bh"
            case relativeCI = "relative_ci"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(absolute, forKey: .absolute)
            try container.encode(relative, forKey: .relative)
            try container.encode(ci, forKey: .ci)
            try container.encode(pValue, forKey: .pValue)
            try container.encode(pValueHolm, forKey: .pValueHolm)
            try container.encode(pValueBH, forKey: .pValueBH)
            try container.encode(relativeCI, forKey: .relativeCI)
            try container.encode(sequential, forKey: .sequential)
        }
    }

    /// One arm's figures.
    public struct Arm: Codable, Sendable, Equatable {
        public var id: String
        public var trials: Int
        public var successes: Int
        /// successes / trials (0 when there are no trials).
        public var rate: Double
        /// Wilson interval of the rate.
        public var wilsonCI: [Double]
        public var posterior: Posterior
        /// P(this arm has the highest rate).
        public var pBest: Double
        /// E[max rate − this arm's rate], absolute.
        public var expectedLoss: Double
        /// Null for the control.
        public var vsControl: VersusControl?

        enum CodingKeys: String, CodingKey {
            case id, trials, successes, rate, posterior
            case wilsonCI = "wilson_ci"
            case pBest = "p_best"
            case expectedLoss = "expected_loss"
            case vsControl = "vs_control"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(trials, forKey: .trials)
            try container.encode(successes, forKey: .successes)
            try container.encode(rate, forKey: .rate)
            try container.encode(wilsonCI, forKey: .wilsonCI)
            try container.encode(posterior, forKey: .posterior)
            try container.encode(pBest, forKey: .pBest)
            try container.encode(expectedLoss, forKey: .expectedLoss)
            try container.encode(vsControl, forKey: .vsControl)
        }
    }

    /// The sample-ratio check.
    public struct SRM: Codable, Sendable, Equatable {
        public var pValue: Double
        public var detected: Bool
        /// Anytime-valid p-value for repeated checks of the split.
        public var sequentialPValue: Double

        enum CodingKeys: String, CodingKey {
            case detected
            case pValue = "p_value"
            case sequentialPValue = "sequential_p_value"
        }

        init(_ srm: SampleRatioMismatch) {
            pValue = srm.pValue
            detected = srm.detected
            sequentialPValue = srm.sequentialPValue
        }
    }

    public var arms: [Arm]
    public var srm: SRM
    /// Next period's traffic split (exact Thompson sampling with a floor), by arm id.
    public var allocation: [String: Double]
    public var recommendations: [Recommendation]
}
