import Analytics
import Foundation
import HeraldCore
import Testing

@testable import Reports

struct RendererTests {
    static let hostile = "<script>alert(1)</script><img src=x onerror=alert(2)> | `code` *bold* [link](http://x)\nnext line"

    func report(text: String = hostile, key: String = "B") throws -> ReportModel {
        let campaign = Campaign(
            id: CampaignID(UUID()),
            workspaceID: WorkspaceID(UUID()),
            slug: "spring",
            name: "Spring | <b>sale</b>",
            primaryMetric: .click,
            channels: [.x],
            destination: nil,
            schedule: nil,
            variants: [.init(id: VariantID(UUID()), key: "A", text: "Plain text."), .init(id: VariantID(UUID()), key: key, text: text)],
            createdAt: Date(timeIntervalSince1970: 0)
        )
        let score = try Scorer.score(
            ScoreInput(arms: [.init(id: "A", trials: 10_000, successes: 300), .init(id: key, trials: 10_000, successes: 420)])
        )
        let days = [
            ReportModel.Day(day: Date(timeIntervalSince1970: 1_772_323_200), impressions: [5_000, 5_000], successes: [150, 210]),
            ReportModel.Day(day: Date(timeIntervalSince1970: 1_772_409_600), impressions: [5_000, 5_000], successes: [150, 210]),
        ]
        return ReportModel(campaign: campaign, score: score, alpha: 0.05, days: days, generatedAt: Date(timeIntervalSince1970: 1_772_496_000))
    }

    @Test func markdownEscapesUserText() throws {
        let markdown = MarkdownRenderer.render(try report())
        #expect(!markdown.contains("<script>"))
        #expect(!markdown.contains("<img"))
        #expect(markdown.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(markdown.contains("\\| \\`code\\` \\*bold\\* \\[link\\](http://x) next line"))
        #expect(markdown.contains("# Spring \\| &lt;b&gt;sale&lt;/b&gt;"))
        // Every table row keeps its column count: escaped pipes do not split cells.
        let rows = markdown.split(separator: "\n").filter { $0.hasPrefix("| B") }
        #expect(rows.count == 1)
        let cells = rows[0].replacingOccurrences(of: "\\|", with: "").split(separator: "|", omittingEmptySubsequences: false)
        #expect(cells.count == 10)
    }

    @Test func csvHasOneRowPerVariantPerDayAndDefusesFormulas() throws {
        let csv = CSVRenderer.render(try report(text: "Shop \"now\", today", key: "-B"))
        let lines = csv.split(separator: "\n")
        // The channel is the last column: `all` for every channel pooled (a report with a breakdown adds rows per channel).
        #expect(lines.first == "day,variant,impressions,clicks,rate,cumulative_impressions,cumulative_clicks,cumulative_rate,text,channel")
        #expect(lines.count == 5)
        #expect(lines[1] == "2026-03-01,A,5000,150,0.030000,5000,150,0.030000,Plain text.,all")
        #expect(lines[4] == "2026-03-02,\"'-B\",5000,210,0.042000,10000,420,0.042000,\"Shop \"\"now\"\", today\",all")
        #expect(CSVRenderer.field("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
    }

    @Test func jsonCarriesTheWholeModel() throws {
        let json = try JSONRenderer.render(try report())
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["campaign_slug"] as? String == "spring")
        #expect((object["variants"] as? [Any])?.count == 2)
        #expect((object["days"] as? [Any])?.count == 2)
    }
}

/// The acceptance check: a hostile variant text shows as text in every format.
struct HostileTextTests {
    @Test(arguments: ReportFormat.allCases)
    func hostileVariantTextIsTextInEveryFormat(_ format: ReportFormat) throws {
        let output = try format.render(try ReportFixture.model(bText: ReportFixture.hostile))
        switch format {
        case .html:
            #expect(output.contains("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;"))
            #expect(!output.lowercased().contains("<script") && !output.lowercased().contains("<img"))
        case .md:
            #expect(output.contains("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;"))
            #expect(!output.lowercased().contains("<script") && !output.lowercased().contains("<img"))
        case .csv:
            // CSV has no markup: the text is one plain field, the same on every row of B (before the channel).
            let rows = output.split(separator: "\n").filter { $0.contains(",B,") }
            #expect(rows.count == 14)
            #expect(rows.allSatisfy { $0.hasSuffix("," + ReportFixture.hostile + ",all") })
        case .json:
            #expect(!output.contains("<script"))
            let decoded = try JSONRenderer.decode(output)
            #expect(decoded.variants[1].text == ReportFixture.hostile)
        }
    }
}
