import EmbeddedPostgres
import Foundation
import HeraldTestSupport
import Testing

struct DemoCommandTests {
    @Test func runsTheLoopAndWritesAReport() async throws {
        let fixture = try await CLIFixture.make()
        let result = try await fixture.run("demo", "--days", "7", "--seed", "3", "--out", "reports")
        #expect(result.succeeded, "\(result.standardError)")
        #expect(result.standardOutput.contains("SIMULATED audience (seed 3)"))
        #expect(result.standardOutput.contains("Leading variant: "))
        #expect(result.standardOutput.contains("Recommendation: "))
        let report = fixture.folder.appendingPathComponent("reports/demo-spring-sale/latest/report.md")
        #expect(result.standardOutput.contains("Report: \(report.path)"))
        let markdown = try String(contentsOf: report, encoding: .utf8)
        #expect(markdown.contains("Simulated audience"))
        #expect(markdown.contains("## Per day (UTC)"))
        let html = fixture.folder.appendingPathComponent("reports/demo-spring-sale/latest/report.html")
        #expect(result.standardOutput.contains("HTML report: \(html.path)"))
        let page = try String(contentsOf: html, encoding: .utf8)
        #expect(page.contains("data-chart=\"send-time-heatmap\""))
        #expect(page.contains("Simulated audience"))
        // The demo workspace's overview, in its own folder, links the HTML report.
        let overview = fixture.folder.appendingPathComponent("reports/demo/index.html")
        #expect(result.standardOutput.contains("Overview: \(overview.path)"))
        #expect(try String(contentsOf: overview, encoding: .utf8).contains("href=\"../demo-spring-sale/latest/report.html\""))

        // Running it again replaces the demo campaign instead of failing or doubling data.
        let again = try await fixture.run("demo", "--days", "7", "--seed", "3", "--out", "reports")
        #expect(again.succeeded, "\(again.standardError)")
        let imported = { (text: String) in text.split(separator: "\n").first { $0.hasPrefix("Imported") } }
        #expect(imported(again.standardOutput) == imported(result.standardOutput))
    }
}
