import Foundation
import HeraldCore
import Testing

@testable import Reports

struct OverviewRendererTests {
    @Test func listsCampaignsWithStatusAndLatestResult() throws {
        let report = try ReportFixture.model(bText: ReportFixture.hostile, name: "<script>alert(3)</script>")
        let overview = WorkspaceOverview(
            workspace: "demo",
            generatedAt: ReportFixture.start,
            campaigns: [
                .init(report: report, reportLink: "trailblazer-spring/latest/report.html"),
                .init(name: "Summer", slug: "summer", reportLink: "javascript:alert(1)"),
            ]
        )
        let html = OverviewRenderer.render(overview)
        #expect(html.contains("<a href=\"trailblazer-spring/latest/report.html\">&lt;script&gt;alert(3)&lt;/script&gt;</a>"))
        #expect(html.contains("Winner: B"))
        #expect(html.contains(HTMLEscaping.escape(report.headline.text)))
        #expect(html.contains("Not analysed"))
        #expect(!html.contains("javascript:"))
        #expect(!html.lowercased().contains("<script"))
        #expect(HTMLRendererTests.tags(html).isSubset(of: HTMLRendererTests.allowedTags))
    }

    @Test func saysHowToStartWhenEmpty() {
        let html = OverviewRenderer.render(WorkspaceOverview(workspace: "empty", generatedAt: ReportFixture.start, campaigns: []))
        #expect(html.contains("No campaigns yet"))
    }
}
