import Analytics
import Foundation
import HeraldCore
import HeraldTestKit
import Testing

@testable import Reports

/// Conversion value in every report format, revenue as the primary metric, and the send-time verdict.
struct RevenueReportTests {
    @Test func noValuesNoRevenue() throws {
        let counts = [
            RevenueSummary.Counts(key: "A", impressions: 1_000, conversions: 10, valueSum: 0, valueSumSquares: 0),
            RevenueSummary.Counts(key: "B", impressions: 1_000, conversions: 12, valueSum: 0, valueSumSquares: 0),
        ]
        #expect(RevenueSummary(counts, alpha: 0.05) == nil)
        let report = try ReportFixture.model()
        #expect(report.revenue == nil)
        #expect(!MarkdownRenderer.render(report).contains("## Revenue"))
        #expect(!HTMLRenderer.render(report).contains("<h2>Revenue</h2>"))
        #expect(!CSVRenderer.render(report).contains("revenue"))
        #expect(!(try JSONRenderer.render(report)).contains("\"revenue\""))
    }

    @Test func summaryFiguresAreConsistent() throws {
        let revenue = try #require(ReportFixture.revenue(ReportFixture.valuedDays(), keys: ["A", "B", "C"]))
        #expect(revenue.variants.map(\.isControl) == [true, false, false])
        for variant in revenue.variants {
            let n = Double(variant.impressions)
            #expect(abs(variant.perImpression * n - variant.revenue) < 1e-6 * variant.revenue)
            #expect(variant.perImpressionInterval[0] < variant.perImpression && variant.perImpression < variant.perImpressionInterval[1])
            #expect(abs(variant.revenueInterval[0] - n * variant.perImpressionInterval[0]) < 1e-6 * variant.revenue)
            #expect(variant.perConversion.map { $0 > 20 && $0 < 80 } == true)
        }
        let b = revenue.variants[1]
        let difference = try #require(b.difference)
        #expect(abs(difference - (b.perImpression - revenue.variants[0].perImpression)) < 1e-12)
        let interval = try #require(b.differenceInterval)
        #expect(interval[0] < difference && difference < interval[1])
        // The always-valid interval is wider than the one-look Welch interval.
        let sequential = try #require(b.sequentialInterval)
        #expect(sequential[0] < interval[0] && sequential[1] > interval[1])
        #expect(abs(revenue.variants.map(\.probabilityBest).reduce(0, +) - 1) < 1e-6)
    }

    @Test func everyFormatShowsRevenue() throws {
        let report = try ReportFixture.revenueModel()
        let revenue = try #require(report.revenue)
        let markdown = MarkdownRenderer.render(report)
        #expect(markdown.contains("## Revenue"))
        #expect(markdown.contains("| Variant | Conversions | Revenue (95% interval) | Per impression (95% interval) |"))
        #expect(markdown.contains(Format.money(revenue.variants[1].revenue)))
        let html = HTMLRenderer.render(report)
        #expect(html.contains("<h2>Revenue</h2>"))
        #expect(html.contains(Format.money(revenue.variants[2].perImpression, digits: 4)))
        let csv = CSVRenderer.render(report)
        #expect(
            csv.hasPrefix(
                "day,variant,impressions,conversions,rate,cumulative_impressions,cumulative_conversions,cumulative_rate,revenue,cumulative_revenue,"
                    + "cumulative_revenue_per_impression,cumulative_revenue_per_impression_low,cumulative_revenue_per_impression_high,text,channel\n"
            )
        )
        // The last day's cumulative revenue is the variant's revenue.
        let lastA = try #require(csv.split(separator: "\n").last { $0.contains(",A,") }).split(separator: ",")
        #expect(abs(Double(String(lastA[9]))! - revenue.variants[0].revenue) < 1e-3)
        let json = try JSONRenderer.render(report)
        #expect(try JSONRenderer.decode(json) == report)
        #expect(json.contains("\"per_impression_interval\""))
    }

    @Test func revenueReportsValidateAgainstTheSchema() throws {
        let validator = try JSONSchemaValidator(schema: try Data(contentsOf: SchemaTests.schema))
        for metric in [Metric.conversion, .revenue] {
            let json = try JSONRenderer.render(try ReportFixture.revenueModel(metric: metric))
            let errors = try validator.validate(Data(json.utf8))
            #expect(errors.isEmpty, "\(metric): \(errors.prefix(10))")
        }
    }

    /// With `primary_metric: revenue`, the variant lines' comparisons and the headline are about revenue per impression.
    @Test func revenueAsPrimaryMetric() throws {
        let report = try ReportFixture.revenueModel(metric: .revenue)
        let revenue = try #require(report.revenue)
        #expect(report.variants.map(\.probabilityBest) == revenue.variants.map(\.probabilityBest))
        #expect(report.variants.map(\.lift) == revenue.variants.map(\.lift))
        #expect(report.variants.map(\.differenceInterval) == revenue.variants.map(\.sequentialInterval))
        // Rates still count conversions.
        #expect(report.variants[0].successes == ReportFixture.valuedDays().map { $0.successes[0] }.reduce(0, +))
        #expect(report.headline.text.contains("revenue per impression"), "\(report.headline.text)")
        #expect(MarkdownRenderer.render(report).contains("success = conversion per impression · calls on revenue per impression"))
        #expect(HTMLRenderer.render(report).contains("calls on revenue per impression"))
    }

    @Test func reportsSayWhenNoHourStandsOut() throws {
        var report = try ReportFixture.model()
        let flat = SendTimeModel(counts: (0..<48).map { (hourOfWeek: $0, trials: 800, successes: 24) })
        report.charts = Charts(
            variants: report.variants,
            days: report.days,
            alpha: 0.05,
            sendTime: flat,
            sendTimeZone: "UTC",
            featureEffects: nil
        )
        let sendTime = try #require(report.charts.sendTime)
        #expect(sendTime.best.isEmpty)
        let note = try #require(sendTime.note)
        #expect(note.hasPrefix("no hour stands out yet: 48 hours have 500 impressions or more"))
        #expect(MarkdownRenderer.render(report).contains("## Best send time\n\nNo hour stands out yet: 48 hours"))
        #expect(HTMLRenderer.render(report).contains("No hour stands out yet: 48 hours"))
        #expect(try JSONRenderer.render(report).contains("\"note\" : \"no hour stands out yet"))
    }

    @Test func reportsMarkHoursThatStandOut() throws {
        var report = try ReportFixture.model()
        // Weekday evenings at 1.6 times the rate, with 5,000 impressions an hour (the fixture's 400–700 are too few to tell).
        let counts = (0..<168).map { hour -> (hourOfWeek: Int, trials: Int, successes: Int) in
            let evening = (18...21).contains(hour % 24) && hour / 24 < 5 ? 1.6 : 1.0
            return (hour, 5_000, Int((5_000 * 0.025 * evening * (1 + 0.1 * sin(Double(hour)))).rounded()))
        }
        report.charts = Charts(
            variants: report.variants,
            days: report.days,
            alpha: 0.05,
            sendTime: SendTimeModel(counts: counts),
            sendTimeZone: "UTC",
            featureEffects: nil
        )
        let sendTime = try #require(report.charts.sendTime)
        #expect(!sendTime.best.isEmpty)
        #expect(sendTime.note == nil)
        // Only weekday evening hours were made better in the fixture.
        for hour in sendTime.best {
            #expect(hour / 24 < 5 && (18...21).contains(hour % 24), "hour \(hour)")
        }
        #expect(MarkdownRenderer.render(report).contains("These hours beat the rest of the channel"))
    }

    @Test func revenueSnapshots() throws {
        let report = try ReportFixture.revenueModel(metric: .revenue)
        try SnapshotTests().assertSnapshot(MarkdownRenderer.render(report), named: "report-revenue.md")
        try SnapshotTests().assertSnapshot(CSVRenderer.render(report), named: "report-revenue.csv")
    }
}
