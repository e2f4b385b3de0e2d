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
