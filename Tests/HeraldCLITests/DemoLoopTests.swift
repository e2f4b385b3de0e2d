import EmbeddedPostgres
import Foundation
import HeraldTestSupport
import PostgresNIO
import Testing

@testable import Storage

/// `herald demo` runs the real loop: checked in the demo's own database after a short run, not from its words alone.
struct DemoLoopTests {
    func count(_ database: Database, _ sql: PostgresQuery) async throws -> Int {
        for try await value in try await database.client.query(sql, logger: database.logger).decode(Int.self) { return value }
        return -1
    }

    /// The number in the output line that starts with `prefix`, after `marker`.
    func number(in output: String, line prefix: String, after marker: String) -> Int? {
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }), let range = line.range(of: marker) else {
            return nil
        }
        return Int(line[range.upperBound...].prefix { $0.isNumber || $0 == "," }.filter(\.isNumber))
    }

    @Test func theDemoRunsTheRealLoopOnASimulatedAudience() async throws {
        let fixture = try await CLIFixture.make()
        let days = 3
        let result = try await fixture.run("demo", "--days", "\(days)", "--seed", "3", "--out", "reports")
        #expect(result.succeeded, "\(result.standardError)")
        let output = result.standardOutput
        #expect(output.contains("SIMULATED audience (seed 3)"))
        #expect(output.contains("dry run: nothing leaves this machine"))
        #expect(output.contains("Review: herald demo approves the 4 generated variants itself"))
        #expect(output.split(separator: "\n").filter { $0.hasPrefix("SIMULATION day ") }.count == days)
        #expect(output.contains("Winner: "))
        #expect(output.contains("Autopilot (auto mode) did "))
        #expect(output.contains("Regret (SIMULATION ground truth"))
        // The back office: a one-time sign-in link for the demo's admin.
        #expect(output.contains("Back office: ") && output.contains("/app/invite/"), "\(output.suffix(600))")

        let demo = fixture.database.with(database: fixture.database.database + "_demo")
        try await Database.withDatabase(demo, logger: TestDatabase.logger) { database in
            // Four variants came from the generate_variants job (the rule generator), none written by hand.
            #expect(try await count(database, "SELECT count(*)::int FROM variants WHERE parent_id IS NULL AND generator <> 'manual'") == 4)
            #expect(try await count(database, "SELECT count(*)::int FROM variants WHERE generator = 'manual'") == 0)
            #expect(try await count(database, "SELECT count(*)::int FROM jobs_done WHERE kind = 'generate_variants'") >= 1)
            // Every publication was published once, by the schedule's fires (eight a day), and the receiver kept each once.
            let published = try await count(database, "SELECT count(*)::int FROM publications WHERE status = 'published'")
            #expect(published == days * 8)
            #expect(try await count(database, "SELECT count(*)::int FROM publications WHERE status <> 'published'") == 0)
            #expect(try await count(database, "SELECT count(DISTINCT provider_id)::int FROM publications") == published)
            #expect(number(in: output, line: "Posts: ", after: "the local receiver kept ") == published)
            #expect(try await count(database, "SELECT count(*)::int FROM schedule_fires") == days * 8)
            // Clicks came through the tracking route (it names the publication); impressions through POST /v1/events.
            let clicks = try await count(database, "SELECT count(*)::int FROM events WHERE kind = 'click'")
            #expect(clicks > 0)
            #expect(try await count(database, "SELECT count(*)::int FROM events WHERE kind = 'click' AND publication_id IS NULL") == 0)
            #expect(try await count(database, "SELECT count(*)::int FROM events WHERE kind = 'impression'") == published * 900)
            // A daily analysis each day, through the queue; autopilot recorded what it did.
            #expect(try await count(database, "SELECT count(*)::int FROM jobs_done WHERE kind = 'analyze'") == days)
            #expect(try await count(database, "SELECT count(*)::int FROM autopilot_actions") >= 1)
            #expect(try await count(database, "SELECT count(*)::int FROM users WHERE email = 'demo@example.com' AND role = 'admin'") == 1)
        }
        let report = fixture.folder.appendingPathComponent("reports/demo-spring-sale/latest/report.md")
        let html = fixture.folder.appendingPathComponent("reports/demo-spring-sale/latest/report.html")
        #expect(output.contains("HTML report: \(html.path)"))
        #expect(try String(contentsOf: report, encoding: .utf8).contains("SIMULATION"))
        #expect(try String(contentsOf: html, encoding: .utf8).contains("SIMULATION"))
        #expect(FileManager.default.fileExists(atPath: fixture.folder.appendingPathComponent("reports/demo/index.html").path))

        // Running it again replaces the previous demo instead of failing or doubling data.
        let again = try await fixture.run("demo", "--days", "1", "--seed", "3", "--out", "reports")
        #expect(again.succeeded, "\(again.standardError)")
        try await Database.withDatabase(demo, logger: TestDatabase.logger) { database in
            let publications = try await count(database, "SELECT count(*)::int FROM publications")
            #expect(publications == 8)
        }
    }
}
