import EmbeddedPostgres
import Foundation
import HeraldTestSupport
import Testing

/// A revenue campaign through the CLI: created from a file, events with values imported, reported in every format.
struct RevenueReportCommandTests {
    @Test func revenueCampaignReportsValueInEveryFormat() async throws {
        let fixture = try await CLIFixture.make()
        let path = try fixture.write(
            "campaign.yaml",
            """
            name: Basket value
            primary_metric: revenue
            channels: [email]
            dry_run: true
            variants:
              - {key: A, subject: "Spring sale", text: "Spring sale: 20% off."}
              - {key: B, subject: "Spring sale", text: "Spring sale: 20% off, free shipping."}
            """
        )
        let created = try await fixture.run("campaigns", "create", path)
        #expect(created.succeeded, "\(created.standardError)")
        let slug = created.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        let shown = try await fixture.run("campaigns", "show", slug, "--json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(shown.standardOutput.utf8)) as? [String: Any])
        #expect(object["primary_metric"] as? String == "revenue")
        let variants = try #require(object["variants"] as? [[String: Any]]).compactMap { $0["id"] as? String }

        var rows = ["id,variant_id,kind,occurred_at,value"]
        for (variant, value) in zip(variants, ["40", "55.5"]) {
            rows += (0..<400).map { _ in "\(UUID()),\(variant),impression,2026-03-01T09:30:00Z," }
            rows += (0..<12).map { _ in "\(UUID()),\(variant),conversion,2026-03-01T10:30:00Z,\(value)" }
        }
        let events = try fixture.write("events.csv", rows.joined(separator: "\n") + "\n")
        let imported = try await fixture.run("import", "events", events)
        #expect(imported.succeeded, "\(imported.standardError)")

        for format in ["md", "html", "csv", "json"] {
            let report = try await fixture.run("report", slug, "--format", format, "--out", "out")
            #expect(report.succeeded, "\(report.standardError)")
            let text = try String(contentsOfFile: report.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines), encoding: .utf8)
            switch format {
            case "md": #expect(text.contains("## Revenue") && text.contains("| B | 12 | 666.00 ("), "\(text)")
            case "html": #expect(text.contains("<h2>Revenue</h2>"))
            case "csv": #expect(text.contains(",revenue,cumulative_revenue,"))
            default:
                let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
                #expect(json["primary_metric"] as? String == "revenue")
                let revenue = try #require(json["revenue"] as? [String: Any])
                let lines = try #require(revenue["variants"] as? [[String: Any]])
                #expect(lines.map { $0["revenue"] as? Double } == [480, 666])
                #expect(lines.map { $0["per_impression"] as? Double } == [1.2, 1.665])
            }
        }
    }
}
