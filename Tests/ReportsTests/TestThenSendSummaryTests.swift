import Foundation
import HeraldCore
import HeraldTestKit
import Testing

@testable import Reports

/// The test-then-send section in every format: test share and sizes, the winner with when, by whom and why, and the
/// messages to the rest.
struct TestThenSendSummaryTests {
    static let chosenAt = ReportFixture.start.addingTimeInterval(2 * 86_400 + 9 * 3_600)

    /// The fixture report with a test of 20% whose winner, B, was chosen by a person with a hostile reason.
    static func model(
        winner: TestThenSendSummary.Winner? = .init(variant: "B", chosenAt: chosenAt, chosenBy: "person", reason: ReportFixture.hostile)
    )
        throws -> ReportModel
    {
        var report = try ReportFixture.model()
        report.testThenSend = TestThenSendSummary(
            testShare: 0.2,
            testSizes: [.init(variant: "A", messages: 1_000), .init(variant: "B", messages: 1_001), .init(variant: "C", messages: 999)],
            deadline: ReportFixture.start.addingTimeInterval(3 * 86_400),
            winner: winner,
            restMessages: winner == nil ? 0 : 12_000,
            restSent: winner == nil ? 0 : 11_990
        )
        return report
    }

    @Test func htmlShowsTheTestTheWinnerAndTheRestWithTextEscaped() throws {
        let html = HTMLRenderer.render(try Self.model())
        #expect(html.contains("<h2>Test-then-send</h2>"))
        #expect(html.contains("20% of the audience got the test: 3,000 messages."))
        #expect(html.contains("<td>B <strong>(winner)</strong></td><td>1,001</td>"))
        #expect(html.contains("B won by hand (person) on 2026-03-03 09:00 UTC."))
        #expect(html.contains("Why: \(HTMLEscaping.escape(ReportFixture.hostile))"))
        #expect(!html.contains(ReportFixture.hostile))
        #expect(html.contains("12,000 messages to the rest of the audience (11,990 sent)."))
        #expect(!HTMLRenderer.render(try ReportFixture.model()).contains("Test-then-send"))
    }

    @Test func markdownNamesTheWinnerHowAndWhy() throws {
        let markdown = MarkdownRenderer.render(try Self.model())
        #expect(markdown.contains("## Test-then-send\n\n20% of the audience got the test: 3,000 messages."))
        #expect(markdown.contains("| B **(winner)** | 1,001 |"))
        #expect(markdown.contains("B won by hand (person) on 2026-03-03 09:00 UTC."))
        #expect(markdown.contains("Why: " + MarkdownRenderer.escape(ReportFixture.hostile)))
        let running = MarkdownRenderer.render(
            try Self.model(winner: nil)
        )
        #expect(running.contains("No winner yet: the test is running; one will be chosen by 2026-03-04 00:00 UTC."))
        #expect(running.contains("The rest of the audience gets the winner once it is chosen."))
        let byAnalysis = MarkdownRenderer.render(
            try Self.model(
                winner: .init(variant: "C", chosenAt: Self.chosenAt, chosenBy: "analysis", reason: "C beat A, B: sequential p 0.003 at look 4.")
            )
        )
        #expect(byAnalysis.contains("C won by the sequential test on 2026-03-03 09:00 UTC."))
        #expect(byAnalysis.contains("Why: C beat A, B: sequential p 0.003 at look 4."))
    }

    @Test func csvAddsATableWithOneRowPerVariant() throws {
        let csv = CSVRenderer.render(try Self.model())
        let lines = csv.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let header = try #require(
            lines.firstIndex(of: "test_variant,test_messages,test_share,winner,chosen_by,chosen_at,reason,rest_messages,rest_sent")
        )
        #expect(lines[header - 1] == "")
        #expect(lines[header + 1] == "A,1000,0.2,B,person,2026-03-03T09:00:00Z,\(CSVRenderer.field(ReportFixture.hostile)),12000,11990")
        #expect(lines[header + 3].hasPrefix("C,999,0.2,B,"))
        // Without a test share, the CSV is as before.
        let plain = try ReportFixture.model()
        #expect(!CSVRenderer.render(plain).contains("test_variant"))
    }

    @Test func jsonValidatesAndReadsBack() throws {
        for model in [try Self.model(), try Self.model(winner: nil)] {
            let json = try JSONRenderer.render(model)
            let errors = try SchemaTests().validator().validate(Data(json.utf8))
            #expect(errors.isEmpty, "\(errors.prefix(10))")
            #expect(try JSONRenderer.decode(json) == model)
        }
        let json = try JSONRenderer.render(try Self.model())
        #expect(json.contains(#""test_share" : 0.2"#))
        #expect(json.contains(#""chosen_by" : "person""#))
        #expect(json.contains(#""rest_messages" : 12000"#))
    }
}
