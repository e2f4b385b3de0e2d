import EmbeddedPostgres
import Foundation
import HeraldCore
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

    @Test func aPublicationColumnAttributesRowsToChannelsAndTheReportBreaksThemDown() async throws {
        let fixture = try await CLIFixture.make()
        let campaign = try await fixture.createCampaign()
        // Publications as a fire makes them: A on X, B on Instagram.
        let (ax, bi): (String, String) = try await Database.withDatabase(fixture.database, logger: TestDatabase.logger) { database in
            let rows = try await database.client.query(
                "SELECT workspace_id, id FROM campaigns WHERE slug = \(campaign.slug)",
                logger: database.logger
            )
            var found: (UUID, UUID)?
            for try await row in rows.decode((UUID, UUID).self) { found = row }
            let (workspace, id) = try #require(found)
            let store = PublicationStore(database)
            let a = try await store.create(
                workspace: WorkspaceID(workspace),
                campaign: CampaignID(id),
                variant: VariantID(UUIDText.parse(campaign.a)!),
                channel: .x,
                scheduledAt: Date(),
                idempotencyKey: "cli:A:x"
            )
            let b = try await store.create(
                workspace: WorkspaceID(workspace),
                campaign: CampaignID(id),
                variant: VariantID(UUIDText.parse(campaign.b)!),
                channel: .instagram,
                scheduledAt: Date(),
                idempotencyKey: "cli:B:instagram"
            )
            return (a.id.uuidString.lowercased(), b.id.uuidString.lowercased())
        }
        func row(_ variant: String, _ kind: String, _ publication: String) -> String {
            "\(UUID()),\(variant),\(kind),2026-03-01T09:30:00Z,,\(publication)"
        }
        var rows = (0..<50).map { _ in row(campaign.a, "impression", ax) } + (0..<4).map { _ in row(campaign.a, "click", ax) }
        rows += (0..<30).map { _ in row(campaign.b, "impression", bi) } + (0..<6).map { _ in row(campaign.b, "click", bi) }
        rows += (0..<20).map { _ in row(campaign.b, "impression", "") }  // no publication: still counted for B
        let header = "id,variant_id,kind,occurred_at,value,publication_id"
        let bad = try fixture.write("bad.csv", ([header] + rows + [row(campaign.a, "click", bi)]).joined(separator: "\n") + "\n")
        let refused = try await fixture.run("import", "events", bad)
        #expect(!refused.succeeded && isOneLine(refused.standardError))
        #expect(refused.standardError == "herald: bad.csv:112: publication_id: \(bi) is a publication of variant B, not of A\n")
        #expect(try await eventCount(fixture) == 0)

        let path = try fixture.write("events.csv", ([header] + rows).joined(separator: "\n") + "\n")
        let imported = try await fixture.run("import", "events", path)
        #expect(imported.succeeded, "\(imported.standardError)")
        #expect(imported.standardOutput == "accepted 110, duplicates 0\n")

        let report = try await fixture.run("report", campaign.slug, "--format", "md", "--out", "out")
        #expect(report.succeeded, "\(report.standardError)")
        let markdown = try String(
            contentsOf: URL(fileURLWithPath: report.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)),
            encoding: .utf8
        )
        #expect(markdown.contains("| B | 50 | 6 |"))
        #expect(markdown.contains("## Per channel"))
        #expect(markdown.contains("The decision is made on all channels pooled: x 50%, instagram 30% and without a publication 20% of impressions."))
        #expect(markdown.contains("### instagram (30% of impressions)"))
        #expect(markdown.contains("| B | 30 | 6 | 20.00% ("))
        let csv = try await fixture.run("report", campaign.slug, "--format", "csv", "--out", "out")
        let csvText = try String(
            contentsOf: URL(fileURLWithPath: csv.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)),
            encoding: .utf8
        )
        #expect(csvText.contains(",instagram\n"))
    }
}
