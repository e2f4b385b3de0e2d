import Analytics
import Foundation
import HeraldCore

/// Everything a campaign report shows, independent of format.
public struct ReportModel: Sendable, Equatable, Codable {
    /// One variant's line in the report.
    public struct Variant: Sendable, Equatable, Codable {
        public var key: String
        public var text: String
        public var impressions: Int
        public var successes: Int
        public var rate: Double
        /// Credible interval of the rate.
        public var interval: [Double]
        public var probabilityBest: Double
        public var expectedLoss: Double
        /// Relative lift over the control; nil for the control or when the control rate is 0.
        public var lift: Double?
        /// Always-valid interval of the absolute difference to the control.
        public var differenceInterval: [Double]?
        public var isControl: Bool
    }

    /// One day's counts for every variant, in variant order.
    public struct Day: Sendable, Equatable, Codable {
        public var day: Date
        public var impressions: [Int]
        public var successes: [Int]

        public init(day: Date, impressions: [Int], successes: [Int]) {
            self.day = day
            self.impressions = impressions
            self.successes = successes
        }
    }

    public var campaignName: String
    public var campaignSlug: String
    public var primaryMetric: EventKind
    public var generatedAt: Date
    public var alpha: Double
    public var variants: [Variant]
    public var recommendations: [Recommendation]
    public var sampleRatioMismatch: Bool
    public var days: [Day]
    /// Remarks shown under the headline (e.g. that the data is simulated).
    public var notes: [String]

    /// Builds the model from a campaign, its scored totals and its daily counts.
    ///
    /// - Parameters:
    ///   - campaign: The campaign (names and texts of the variants).
    ///   - score: The scoring of the variants, whose arm ids are the variant keys.
    ///   - days: Per-day counts, each with one entry per variant in the campaign's order.
    ///   - generatedAt: When the report is made (a value, so rendering stays pure).
    public init(
        campaign: Campaign,
        score: ScoreResult,
        alpha: Double,
        days: [Day],
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
                probabilityBest: arm.pBest,
                expectedLoss: arm.expectedLoss,
                lift: arm.vsControl?.relative,
                differenceInterval: arm.vsControl?.sequential?.ci,
                isControl: arm.vsControl == nil
            )
        }
        recommendations = score.recommendations
        sampleRatioMismatch = score.srm.detected
        self.days = days
        self.notes = notes
    }

    /// The one-sentence answer a reader looks for first.
    public var headline: String {
        guard let first = recommendations.first else { return "No recommendation yet." }
        switch first.action {
        case .declareWinner: return "Winner: \(first.arm ?? "?"). \(first.reason)"
        case .investigateSRM: return "Check the traffic split before reading results. \(first.reason)"
        default: return first.reason
        }
    }
}
