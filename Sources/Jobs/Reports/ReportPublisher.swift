import Foundation
import HeraldCore
import Reports
import Storage

/// Writes a campaign's report in the asked formats under the reports folder, and the workspace
/// overview page (`DIR/<workspace>/index.html`, one per workspace) that links every campaign's latest HTML report.
public struct ReportPublisher: Sendable {
    /// The reports folder (`reports/` by default).
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    /// Writes `report` in each of `formats`; returns the written files (timestamped and `latest/` paths), in order.
    public func write(_ report: ReportModel, formats: [ReportFormat], at time: Date) throws -> [(file: URL, latest: URL)] {
        let writer = ReportWriter(directory: directory)
        return try formats.map { format in
            try writer.write(try format.render(report), slug: report.campaignSlug, format: format.rawValue, at: time)
        }
    }

    /// Rebuilds `DIR/<workspace slug>/index.html` from the workspace's campaigns and their latest stored analyses.
    ///
    /// Each workspace has its own page, so workspaces sharing a reports folder never overwrite each other's. Campaign
    /// reports stay at `DIR/<campaign slug>/latest/`, linked from the page as `../<campaign slug>/latest/report.html`.
    ///
    /// - Returns: The overview's path.
    @discardableResult
    public func writeOverview(database: Database, workspace: WorkspaceID, name: String, at time: Date) async throws -> URL {
        let overview = try await Self.overview(database: database, workspace: workspace, name: name, at: time) { slug in
            let path = "\(slug)/latest/report.html"
            return FileManager.default.fileExists(atPath: directory.appendingPathComponent(path).path) ? "../\(path)" : nil
        }
        let folder = directory.appendingPathComponent(try await WorkspaceStore(database).slug(of: workspace), isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("index.html")
        try Data(OverviewRenderer.render(overview).utf8).write(to: file, options: .atomic)
        return file
    }

    /// The overview of a workspace: each campaign (newest first) with the summary of its latest analysis's report.
    ///
    /// - Parameter link: The link to a campaign's report, by slug (nil for none).
    public static func overview(
        database: Database,
        workspace: WorkspaceID,
        name: String,
        at time: Date,
        link: (String) -> String?
    ) async throws -> WorkspaceOverview {
        let campaigns = try await CampaignStore(database, workspace: workspace).list()
        let latest = try await AnalysisStore(database, workspace: workspace).latestReports()
        let reports = Dictionary(latest.map { ($0.campaign, $0) }, uniquingKeysWith: { first, _ in first })
        let summaries = campaigns.map { campaign -> WorkspaceOverview.CampaignSummary in
            if let json = reports[campaign.id]?.reportJSON, let report = try? JSONRenderer.decode(json) {
                var summary = WorkspaceOverview.CampaignSummary(report: report, reportLink: link(campaign.slug))
                summary.name = campaign.name
                return summary
            }
            return WorkspaceOverview.CampaignSummary(
                name: campaign.name,
                slug: campaign.slug,
                impressions: campaign.impressions,
                reportLink: link(campaign.slug)
            )
        }
        return WorkspaceOverview(workspace: name, generatedAt: time, campaigns: summaries)
    }
}
