import EmbeddedPostgres
import Foundation
import HeraldTestSupport
import PostgresNIO
import Testing

@testable import Storage

struct ImportCommandTests {
    func csv(_ rows: [String]) -> String {
        (["id,variant_id,kind,occurred_at,value"] + rows).joined(separator: "\n") + "\n"
    }

    func eventCount(_ fixture: CLIFixture) async throws -> Int {
        try await Database.withDatabase(fixture.database, logger: TestDatabase.logger) { database in
            let rows = try await database.client.query("SELECT count(*)::int FROM events", logger: database.logger)
            for try await count in rows.decode(Int.self) { return count }
            return -1
        }
    }

    @Test func importsCountsDuplicatesOnceAndScoresFromTheDatabase() async throws {
        let fixture = try await CLIFixture.make()
        let campaign = try await fixture.createCampaign()
        var rows: [String] = []
        let ids = (0..<30).map { _ in UUID().uuidString }
        for (index, id) in ids.enumerated() {
            let variant = index % 2 == 0 ? campaign.a : campaign.b
            rows.append("\(id),\(variant),\(index < 24 ? "impression" : "click"),2026-03-01T09:\(String(format: "%02d", index)):00Z,")
        }
        rows.append(rows[0])  // a duplicate inside the file
        let path = try fixture.write("events.csv", csv(rows))
        let first = try await fixture.run("import", "events", path)
        #expect(first.succeeded, "\(first.standardError)")
        #expect(first.standardOutput == "accepted 30, duplicates 1\n")
        let again = try await fixture.run("import", "events", path, "--json")
        #expect(again.standardOutput == #"{"accepted":0,"duplicates":31}"# + "\n")
        #expect(try await eventCount(fixture) == 30)

        let report = try await fixture.run("report", campaign.slug, "--format", "md", "--out", "out")
        #expect(report.succeeded, "\(report.standardError)")
        let file = URL(fileURLWithPath: report.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(file.path.hasPrefix(fixture.folder.appendingPathComponent("out/trailblazer-spring-sale/").path))
        let markdown = try String(contentsOf: file, encoding: .utf8)
        #expect(markdown.contains("| A (control) | 12 | 3 |"))
        #expect(markdown.contains("| B | 12 | 3 |"))
        let latest = fixture.folder.appendingPathComponent("out/trailblazer-spring-sale/latest/report.md")
        #expect(try String(contentsOf: latest, encoding: .utf8) == markdown)

        for format in ["csv", "json"] {
            let other = try await fixture.run("report", campaign.slug, "--format", format, "--out", "out")
            #expect(other.succeeded && other.standardOutput.hasSuffix("report.\(format)\n"))
        }
        #expect(FileManager.default.fileExists(atPath: latest.deletingLastPathComponent().appendingPathComponent("report.csv").path))
    }

    @Test func aBadRow17WritesNothingAndSaysWhere() async throws {
        let fixture = try await CLIFixture.make()
        let campaign = try await fixture.createCampaign()
        var rows = (2...16).map { _ in "\(UUID()),\(campaign.a),impression,2026-03-01T09:30:00Z," }
        rows.append("\(UUID()),\(campaign.a),clik,2026-03-01T09:30:00Z,")
        rows += (18...30).map { _ in "\(UUID()),\(campaign.b),impression,2026-03-01T09:30:00Z," }
        let path = try fixture.write("events.csv", csv(rows))
        let result = try await fixture.run("import", "events", path)
        #expect(result.status == 1)
        #expect(result.standardError == "herald: events.csv:17: kind: \"clik\" is not one of impression, click, like, share, comment, conversion\n")
        #expect(try await eventCount(fixture) == 0)
    }

    @Test func unknownVariantAndMissingFileAreClearErrors() async throws {
        let fixture = try await CLIFixture.make()
        _ = try await fixture.createCampaign()
        let stranger = UUID().uuidString.lowercased()
        let path = try fixture.write("events.csv", csv(["\(UUID()),\(stranger),click,2026-03-01T09:30:00Z,"]))
        let unknown = try await fixture.run("import", "events", path)
        #expect(!unknown.succeeded && isOneLine(unknown.standardError))
        #expect(unknown.standardError.contains("events.csv:2: variant_id: \(stranger) is not a variant of this workspace"))

        let missing = try await fixture.run("import", "events", "nope.csv")
        #expect(!missing.succeeded && isOneLine(missing.standardError))
        #expect(missing.standardError.contains("nope.csv: cannot read the file"))
        #expect(try await eventCount(fixture) == 0)
    }
}
