import Foundation

/// What the workspace overview page lists: every campaign with its status and latest result.
public struct WorkspaceOverview: Sendable, Equatable, Codable {
    /// One campaign's line on the overview.
    public struct CampaignSummary: Sendable, Equatable, Codable {
        public var name: String
        public var slug: String
        /// The verdict of the latest analysis; nil when the campaign was never analysed.
        public var verdict: Headline.Verdict?
        /// The latest headline, e.g. "B leads: +9.8% clicks vs A, 84% chance to be best — keep testing."
        public var headline: String?
        /// The leading variant and its chance to be best.
        public var leader: String?
        public var leaderProbabilityBest: Double?
        public var impressions: Int
        /// When the latest analysis ran.
        public var analyzedAt: Date?
        /// Where the campaign's latest report is, relative to the overview page or absolute on the server.
        public var reportLink: String?

        public init(
            name: String,
            slug: String,
            verdict: Headline.Verdict? = nil,
            headline: String? = nil,
            leader: String? = nil,
            leaderProbabilityBest: Double? = nil,
            impressions: Int = 0,
            analyzedAt: Date? = nil,
            reportLink: String? = nil
        ) {
            self.name = name
            self.slug = slug
            self.verdict = verdict
            self.headline = headline
            self.leader = leader
            self.leaderProbabilityBest = leaderProbabilityBest
            self.impressions = impressions
            self.analyzedAt = analyzedAt
            self.reportLink = reportLink
        }

        /// The summary of a campaign from its latest report.
        public init(report: ReportModel, reportLink: String?) {
            self.init(
                name: report.campaignName,
                slug: report.campaignSlug,
                verdict: report.headline.verdict,
                headline: report.headline.text,
                leader: report.leader?.key,
                leaderProbabilityBest: report.leader?.probabilityBest,
                impressions: report.totalImpressions,
                analyzedAt: report.generatedAt,
                reportLink: reportLink
            )
        }
    }

    /// The workspace's name or slug.
    public var workspace: String
    public var generatedAt: Date
    public var campaigns: [CampaignSummary]

    public init(workspace: String, generatedAt: Date, campaigns: [CampaignSummary]) {
        self.workspace = workspace
        self.generatedAt = generatedAt
        self.campaigns = campaigns
    }
}
