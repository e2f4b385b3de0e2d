import EmbeddedPostgres
import Foundation
import HeraldTestSupport
import Testing

struct ReportCommandTests {
    @Test func writesEachFormatAndTheOverview() async throws {
        let fixture = try await CLIFixture.make()
        let (slug, _, _) = try await fixture.createCampaign()
        for format in ["html", "md", "csv", "json"] {
            let result = try await fixture.run("report", slug, "--format", format, "--out", "out")
            #expect(result.succeeded, "\(result.standardError)")
            let path = result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(path.hasSuffix("/report.\(format)"), "\(path)")
            #expect(path.contains("/out/\(slug)/"))
            let latest = fixture.folder.appendingPathComponent("out/\(slug)/latest/report.\(format)")
            #expect(FileManager.default.fileExists(atPath: latest.path))
        }
        // The latest folder keeps every format of the latest run.
        let latest = try FileManager.default.contentsOfDirectory(atPath: fixture.folder.appendingPathComponent("out/\(slug)/latest").path)
        #expect(Set(latest) == ["report.html", "report.md", "report.csv", "report.json"])
        // The workspace's overview has a folder of its own and links the campaign's latest report from there.
        let overview = try String(contentsOf: fixture.folder.appendingPathComponent("out/default/index.html"), encoding: .utf8)
        #expect(overview.contains("href=\"../\(slug)/latest/report.html\""))
        #expect(overview.contains("No data"))
        #expect(!FileManager.default.fileExists(atPath: fixture.folder.appendingPathComponent("out/index.html").path))

        let rewritten = try await fixture.run("reports", "overview", "--out", "out")
        #expect(rewritten.succeeded, "\(rewritten.standardError)")
        #expect(rewritten.standardOutput.hasSuffix("out/default/index.html\n"))
    }

    @Test func createsAReportScheduleWithAWebhook() async throws {
        let fixture = try await CLIFixture.make()
        let (slug, _, _) = try await fixture.createCampaign()
        let created = try await fixture.run(
            "reports",
            "schedule",
            slug,
            "--cron",
            "0 9 * * MON",
            "--tz",
            "Europe/Berlin",
            "--format",
            "html",
            "--webhook",
            "https://hooks.example.com/herald",
            "--webhook-secret-env",
            "HERALD_WEBHOOK_MARKETING"
        )
        #expect(created.succeeded, "\(created.standardError)")
        #expect(created.standardOutput.hasPrefix("schedule report:\(slug): next fire "))
        // Mondays at 09:00 Berlin time: 07:00 or 08:00 UTC.
        #expect(created.standardOutput.contains("T07:00:00Z") || created.standardOutput.contains("T08:00:00Z"), "\(created.standardOutput)")

        let listed = try await fixture.run("schedules", "list", "--json")
        let schedules = try #require(try JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8)) as? [[String: Any]])
        let schedule = try #require(schedules.first { $0["name"] as? String == "report:\(slug)" })
        #expect(schedule["job_kind"] as? String == "report")
        #expect(schedule["tz"] as? String == "Europe/Berlin")
        let payload = try #require(try JSONSerialization.jsonObject(with: Data((schedule["job_payload"] as? String ?? "").utf8)) as? [String: Any])
        #expect(payload["format"] as? String == "html")
        #expect(payload["webhook_url"] as? String == "https://hooks.example.com/herald")
        #expect(payload["webhook_secret_env"] as? String == "HERALD_WEBHOOK_MARKETING")
        #expect(payload["campaign_id"] is String && payload["workspace_id"] is String)
        #expect(!listed.standardOutput.contains("secret\":"), "no secret value is stored")

        let badName = try await fixture.run("reports", "schedule", slug, "--webhook", "https://x.example", "--webhook-secret-env", "DATABASE_URL")
        #expect(!badName.succeeded)
        #expect(badName.standardError.contains("HERALD_WEBHOOK_"), "\(badName.standardError)")
        let badURL = try await fixture.run("reports", "schedule", slug, "--webhook", "ftp://x.example")
        #expect(!badURL.succeeded)
        #expect(badURL.standardError.contains("http"), "\(badURL.standardError)")
    }
}
