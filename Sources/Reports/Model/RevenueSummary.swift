import Analytics
import Foundation

/// Conversion value per variant: revenue, revenue per impression and the difference to the control, each
/// with an interval, as every report format shows it when the campaign's conversions carry any value.
///
/// Method: an impression's value is the `value` of its conversion, 0 when it did not convert (or the
/// conversion had no value), so revenue per impression is the mean of mostly-zero per-impression values,
/// known exactly from the rollups' n, sum and sum of squares. Its interval is the delta-method interval of
/// the log of that mean with a t quantile (``MeanSummary/logScaleInterval(alpha:)``), which assumes no
/// distribution for the values and allows for the right skew of zero-heavy revenue data; revenue's interval
/// is n times it (the expected revenue of these n impressions). The
/// difference to the control is Welch's unequal-variance interval on the per-impression values, and the
/// calls (P(best), the sequential p-value) are those of `Scorer.score(_: MeanScoreInput)`, so they stay valid
/// under repeated looks as for rates.
public struct RevenueSummary: Sendable, Equatable, Codable {
    /// One variant's counts and conversion values, as the rollups keep them.
    public struct Counts: Sendable, Equatable {
        public var key: String
        public var impressions: Int
        public var conversions: Int
        /// Sum of conversion values.
        public var valueSum: Double
        /// Sum of squared conversion values.
        public var valueSumSquares: Double
        /// The planned share of impressions, for the sample-ratio check (equal when absent, as for rates).
        public var weight: Double?

        public init(key: String, impressions: Int, conversions: Int, valueSum: Double, valueSumSquares: Double, weight: Double? = nil) {
            self.key = key
            self.impressions = impressions
            self.conversions = conversions
            self.valueSum = valueSum
            self.valueSumSquares = valueSumSquares
            self.weight = weight
        }
    }

    /// One variant's line.
    public struct Variant: Sendable, Equatable, Codable {
        public var key: String
        public var impressions: Int
        public var conversions: Int
        /// Sum of conversion values.
        public var revenue: Double
        /// n × the interval of revenue per impression.
        public var revenueInterval: [Double]
        /// Mean value per impression.
        public var perImpression: Double
        /// Log-scale (delta-method) interval of the mean per impression.
        public var perImpressionInterval: [Double]
        /// Mean value per conversion; nil without conversions.
        public var perConversion: Double?
        /// P(this variant has the highest revenue per impression), from normal posteriors of the means.
        public var probabilityBest: Double
        /// E[max revenue per impression − this variant's], absolute.
        public var expectedLoss: Double
        /// Revenue per impression minus the control's; nil for the control.
        public var difference: Double?
        /// Welch interval of that difference.
        public var differenceInterval: [Double]?
        /// Relative difference to the control; nil for the control or when the control has no revenue.
        public var lift: Double?
        /// Delta-method interval of the relative difference.
        public var liftInterval: [Double]?
        /// Welch's two-sided p-value against the control (one look).
        public var pValue: Double?
        /// Always-valid interval of the difference (what calls rest on).
        public var sequentialInterval: [Double]?
        /// Holm-adjusted always-valid p-value against the control.
        public var sequentialPValue: Double?
        public var isControl: Bool
    }

    /// How the figures are made, in one sentence for the reports.
    public static let methodNote =
        "Revenue is the sum of conversion values; revenue per impression counts an impression without a conversion as 0. "
        + "Its interval is a delta-method interval on the log scale (no assumption on the values; it allows for mostly-zero, skewed data), revenue's is impressions times it; "
        + "differences to the control use Welch's interval, and calls on revenue use always-valid tests, as for rates."

    public var variants: [Variant]
    /// The scoring's recommendations for revenue per impression (used when revenue is the primary metric).
    public var recommendations: [Recommendation]

    /// Scores conversion value per impression for each variant; the first is the control.
    ///
    /// - Parameters:
    ///   - counts: One entry per variant, in the campaign's order.
    ///   - alpha: 1 − the level of the intervals.
    /// - Returns: nil when no conversion carries a value (nothing to report), or the counts are inconsistent
    ///   (more conversions than impressions, so per-impression values cannot be formed).
    public init?(_ counts: [Counts], alpha: Double) {
        guard counts.count >= 2, counts.contains(where: { $0.valueSumSquares > 0 }) else { return nil }
        let input = MeanScoreInput(
            control: counts[0].key,
            arms: counts.map {
                MeanScoreInput.Arm(id: $0.key, n: $0.impressions, sum: $0.valueSum, sumSquares: $0.valueSumSquares, weight: $0.weight)
            },
            alpha: alpha
        )
        guard counts.allSatisfy({ $0.conversions <= $0.impressions }), let score = try? Scorer.score(input) else { return nil }
        variants = zip(counts, score.arms).map { counts, arm in
            let summary = MeanSummary(n: counts.impressions, sum: counts.valueSum, sumSquares: counts.valueSumSquares)
            let interval = summary.logScaleInterval(alpha: alpha)
            let n = Double(counts.impressions)
            return Variant(
                key: counts.key,
                impressions: counts.impressions,
                conversions: counts.conversions,
                revenue: counts.valueSum,
                revenueInterval: [n * interval.lowerBound, n * interval.upperBound],
                perImpression: summary.mean,
                perImpressionInterval: [interval.lowerBound, interval.upperBound],
                perConversion: counts.conversions > 0 ? counts.valueSum / Double(counts.conversions) : nil,
                probabilityBest: arm.pBest,
                expectedLoss: arm.expectedLoss,
                difference: arm.vsControl?.absolute,
                differenceInterval: arm.vsControl?.ci,
                lift: arm.vsControl?.relative,
                liftInterval: arm.vsControl?.relativeCI,
                pValue: arm.vsControl?.pValue,
                sequentialInterval: arm.vsControl?.sequential.ci,
                sequentialPValue: arm.vsControl?.sequential.pValueHolm,
                isControl: arm.vsControl == nil
            )
        }
        recommendations = score.recommendations
    }
}
