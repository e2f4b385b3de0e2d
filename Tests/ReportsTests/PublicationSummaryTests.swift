import Foundation
import HeraldCore
import HeraldTestKit
import Testing

@testable import Reports

/// Failed publications with their reasons, and the dry-run notice, in every format.
struct PublicationSummaryTests {
    /// The fixture report of a dry-run campaign with two failed publications (one with a hostile reason).
    static func model(dryRun: Bool = true) throws -> ReportModel {
        var report = try ReportFixture.model()
        report.publications = PublicationSummary(
            dryRun: dryRun,
            counts: [.init(state: "published", count: 3), .init(state: "failed", count: 2), .init(state: "dry_run", count: 4)],
            failed: [
                .init(
                    id: "6f9619ff-8b86-d011-b42d-00c04fc964ff",
                    variant: "B",
                    channel: "mastodon",
                    account: "brand",
                    scheduledAt: ReportFixture.start.addingTimeInterval(3_600),
                    failureClass: "rejected_content",
                    reason: "Validation failed: Text character limit of 500 exceeded"
                ),
                .init(
                    id: "7f9619ff-8b86-d011-b42d-00c04fc964ff",
                    variant: "A",
                    channel: "webhook",
                    account: nil,
                    scheduledAt: ReportFixture.start,
                    failureClass: nil,
                    reason: ReportFixture.hostile
                ),
            ]
        )
        return report
    }

    @Test func markdownSnapshot() throws {
        try SnapshotTests().assertSnapshot(MarkdownRenderer.render(try Self.model()), named: "report-publications.md")
    }

    @Test func csvSnapshot() throws {
        try SnapshotTests().assertSnapshot(CSVRenderer.render(try Self.model()), named: "report-publications.csv")
    }

    @Test func htmlNamesTheDryRunAndListsFailuresAsText() throws {
        let html = HTMLRenderer.render(try Self.model())
        #expect(html.contains("<strong>dry run: nothing was posted.</strong>"))
        #expect(html.contains("Validation failed: Text character limit of 500 exceeded"))
        #expect(html.contains("rejected_content"))
        #expect(!html.contains(ReportFixture.hostile))
        #expect(html.contains(HTMLEscaping.escape(ReportFixture.hostile)))
        #expect(html.contains("3 published · 2 failed · 4 dry run"))
        let real = HTMLRenderer.render(try Self.model(dryRun: false))
        #expect(!real.contains("dry run: nothing was posted"))
    }

    @Test func jsonValidatesAndReadsBack() throws {
        let json = try JSONRenderer.render(try Self.model())
        let errors = try SchemaTests().validator().validate(Data(json.utf8))
        #expect(errors.isEmpty, "\(errors.prefix(10))")
        #expect(json.contains(#""failure_class" : "rejected_content""#))
        #expect(try JSONRenderer.decode(json) == (try Self.model()))
    }

    @Test func aReportWithoutFailuresOrDryRunKeepsItsCSV() throws {
        var report = try ReportFixture.model()
        let before = CSVRenderer.render(report)
        report.publications = PublicationSummary(dryRun: false, counts: [.init(state: "published", count: 2)], failed: [])
        #expect(CSVRenderer.render(report) == before)
        #expect(MarkdownRenderer.render(report).contains("## Publications\n\n2 published."))
    }
}
