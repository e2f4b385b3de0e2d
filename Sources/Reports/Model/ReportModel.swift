import Analytics
import Foundation
import HeraldCore

/// Everything a campaign report shows, independent of format: the verdict, the recommendations with
/// their reasons, one line per variant, per-day counts and the data of every chart.
///
/// The model is a value built from an analysis's outputs (the scoring, the send-time model, the
/// feature effects and the daily counts); renderers only format it. Its JSON form
/// (``JSONRenderer``) follows `docs/report.schema.json`.
public struct ReportModel: Sendable, Equatable, Codable {
    /// One variant's line in the report.
    public struct Variant: Sendable, Equatable, Codable {
        public var key: String
        public var text: String
        public var impressions: Int
        public var successes: Int
        public var rate: Double
        /// Equal-tailed credible interval of the rate (Beta posterior).
        public var interval: [Double]
        /// The Beta posterior's parameters (prior + successes, prior + failures).
        public var posteriorAlpha: Double
        public var posteriorBeta: Double
        public var probabilityBest: Double
        public var expectedLoss: Double
        /// Relative lift over the control; nil for the control or when the control rate is 0.
        public var lift: Double?
        /// Log-ratio interval of the relative lift; nil for the control or when an arm has no successes.
        public var liftInterval: [Double]?
        /// Always-valid interval of the absolute difference to the control.
        public var differenceInterval: [Double]?
        /// Holm-adjusted always-valid p-value against the control (what calls are made on).
        public var sequentialPValue: Double?
        /// Next period's share of traffic advised for this variant, when the analysis made one.
        public var nextShare: Double?
        public var isControl: Bool
    }

    /// One day's counts for every variant, in variant order.
    public struct Day: Sendable, Equatable, Codable {
        public var day: Date
        public var impressions: [Int]
        public var successes: [Int]
        /// Sum of conversion values per variant; nil when the campaign's conversions carry no value.
        public var valueSums: [Double]?
        /// Sum of squared conversion values per variant (for the interval of cumulative revenue per impression).
        public var valueSumSquares: [Double]?

        public init(day: Date, impressions: [Int], successes: [Int], valueSums: [Double]? = nil, valueSumSquares: [Double]? = nil) {
            self.day = day
            self.impressions = impressions
            self.successes = successes
            self.valueSums = valueSums
            self.valueSumSquares = valueSumSquares
        }
    }

    public var campaignName: String
    public var campaignSlug: String
    /// What the calls are made on; for `revenue` the variant lines' rates count conversions and the
    /// comparisons (P(best), lift, intervals, sequential p-value) are those of revenue per impression.
    public var primaryMetric: Metric
    public var generatedAt: Date
    public var alpha: Double
    /// The answer a reader looks for first.
    public var headline: Headline
    public var variants: [Variant]
    public var recommendations: [Recommendation]
    public var sampleRatioMismatch: Bool
    public var days: [Day]
    /// Remarks shown under the headline (e.g. that the data is simulated).
    public var notes: [String]
    /// The data behind every chart.
    public var charts: Charts
    /// The results per channel beside the pooled ones, and which data decides; nil for reports made before
    /// events recorded their channel.
    public var channels: ChannelBreakdown?
    /// Conversion value per variant; nil when no conversion carries a value.
    public var revenue: RevenueSummary?
    /// How fresh the counts pulled back from the platforms are per channel, and what each channel's exposure is; nil
    /// when the campaign has no published post on such a channel.
    public var engagementCollection: EngagementCollection?
    /// What the campaign's publications came to (failed ones with their reasons, and whether it is a dry run); nil for
    /// reports made before it was recorded.
    public var publications: PublicationSummary?
    /// A test-then-send campaign's test, winner and send to the rest; nil for campaigns without a test share.
    public var testThenSend: TestThenSendSummary?
    /// What autopilot did (and suggested); nil when it was never on for the campaign.
    public var autopilot: AutopilotSummary?
    /// The planned test the calls were made on; nil when the campaign has no plan (calls use always-valid tests).
    public var plannedTest: PlannedTest?

    /// Builds the model from a campaign and its analysis.
    ///
    /// - Parameters:
    ///   - campaign: The campaign (names and texts of the variants).
    ///   - score: The scoring of the variants, whose arm ids are the variant keys, in the campaign's order.
    ///   - alpha: 1 − the level of the intervals.
    ///   - days: Per-day counts, each with one entry per variant in the campaign's order.
    ///   - sendTime: The hour-of-week engagement model of the campaign's first channel, if any.
    ///   - featureEffects: Feature effects across the workspace's variants, if any.
    ///   - revenue: Conversion value per variant, if any conversion carries a value. When the primary metric
    ///     is revenue, the variant lines' comparisons are taken from it.
    ///   - generatedAt: When the report is made (a value, so rendering stays pure).
    ///   - notes: Remarks shown under the headline.
    public init(
        campaign: Campaign,
        score: ScoreResult,
        alpha: Double,
        days: [Day],
        sendTime: SendTimeModel? = nil,
        featureEffects: FeatureEffects? = nil,
        revenue: RevenueSummary? = nil,
        generatedAt: Date,
        notes: [String] = []
    ) {
        campaignName = campaign.name
        campaignSlug = campaign.slug
        primaryMetric = campaign.primaryMetric
        self.generatedAt = generatedAt
        self.alpha = alpha
        variants = zip(campaign.variants, score.arms).map { variant, arm in
            Variant(
                key: variant.key,
                text: variant.text,
                impressions: arm.trials,
                successes: arm.successes,
                rate: arm.rate,
                interval: arm.posterior.ci,
                posteriorAlpha: arm.posterior.alpha,
                posteriorBeta: arm.posterior.beta,
                probabilityBest: arm.pBest,
                expectedLoss: arm.expectedLoss,
                lift: arm.vsControl?.relative,
                liftInterval: arm.vsControl?.relativeCI,
                differenceInterval: arm.vsControl?.sequential?.ci,
                sequentialPValue: arm.vsControl?.sequential?.pValueHolm,
                nextShare: score.allocation[arm.id],
                isControl: arm.vsControl == nil
            )
        }
        if campaign.primaryMetric.isValue, let revenue {
            for (index, line) in zip(variants.indices, revenue.variants) {
                variants[index].probabilityBest = line.probabilityBest
                variants[index].expectedLoss = line.expectedLoss
                variants[index].lift = line.lift
                variants[index].liftInterval = line.liftInterval
                variants[index].differenceInterval = line.sequentialInterval
                variants[index].sequentialPValue = line.sequentialPValue
            }
        }
        self.revenue = revenue
        recommendations = score.recommendations
        sampleRatioMismatch = score.srm.detected
        self.days = days
        self.notes = notes
        headline = Headline(variants: variants, recommendations: recommendations, metric: campaign.primaryMetric)
        charts = Charts(
            variants: variants,
            days: days,
            alpha: alpha,
            sendTime: sendTime,
            sendTimeZone: campaign.schedule?.tz ?? "UTC",
            featureEffects: featureEffects
        )
    }

    /// The variant with the highest chance of being best, if any has data.
    public var leader: Variant? {
        guard variants.contains(where: { $0.impressions > 0 }) else { return nil }
        return variants.max { $0.probabilityBest < $1.probabilityBest }
    }

    /// The control variant (the first one).
    public var control: Variant? { variants.first(where: \.isControl) ?? variants.first }

    /// Impressions across all variants.
    public var totalImpressions: Int { variants.map(\.impressions).reduce(0, +) }
}
