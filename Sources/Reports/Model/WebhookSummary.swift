import Analytics
import Foundation

/// The JSON body a report schedule posts to a webhook: the verdict, the recommendations and one
/// line per variant, small enough for a chat message.
public struct WebhookSummary: Sendable, Equatable, Codable {
    /// One variant's figures.
    public struct Variant: Sendable, Equatable, Codable {
        public var key: String
        public var impressions: Int
        public var successes: Int
        public var rate: Double
        public var lift: Double?
        public var probabilityBest: Double
    }

    /// Always `report.generated`.
    public var event: String
    public var campaign: String
    public var campaignSlug: String
    public var generatedAt: Date
    public var verdict: Headline.Verdict
    public var headline: String
    public var reason: String
    public var recommendations: [Recommendation]
    public var variants: [Variant]
    /// Where the full report was written (a path or URL), when known.
    public var report: String?

    /// The summary of `report`.
    public init(_ report: ReportModel, location: String?) {
        event = "report.generated"
        campaign = report.campaignName
        campaignSlug = report.campaignSlug
        generatedAt = report.generatedAt
        verdict = report.headline.verdict
        headline = report.headline.text
        reason = report.headline.reason
        recommendations = report.recommendations
        variants = report.variants.map {
            Variant(
                key: $0.key,
                impressions: $0.impressions,
                successes: $0.successes,
                rate: $0.rate,
                lift: $0.lift,
                probabilityBest: $0.probabilityBest
            )
        }
        self.report = location
    }

    /// The body as compact JSON (snake_case keys, ISO 8601 dates, sorted keys so it is stable).
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
