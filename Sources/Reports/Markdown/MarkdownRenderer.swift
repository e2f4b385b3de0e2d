import Analytics
import Foundation
import HeraldCore

/// Renders a report as Markdown: headline, recommendations, a variant table and per-day counts.
///
/// User text (campaign names, variant texts) is escaped so it cannot break tables or inject
/// markup: Markdown punctuation is backslash-escaped, HTML brackets become entities, and line
/// breaks become spaces.
public enum MarkdownRenderer {
    public static func render(_ report: ReportModel) -> String {
        var lines: [String] = []
        let metric = report.primaryMetric.eventKind.rawValue
        lines.append("# \(escape(report.campaignName))")
        lines.append("")
        let calls = report.primaryMetric.isValue ? " · calls on revenue per impression" : ""
        lines.append(
            "Campaign `\(report.campaignSlug)` · success = \(metric) per impression\(calls) · generated \(Timestamp.format(report.generatedAt))"
        )
        lines.append("")
        lines += dryRunNotice(report)
        for note in report.notes { lines.append("> \(escape(note))") }
        if !report.notes.isEmpty { lines.append("") }
        lines.append("**\(escape(report.headline.text))**")
        lines.append("")
        if !report.headline.reason.isEmpty {
            lines.append(escape(report.headline.reason))
            lines.append("")
        }
        lines.append("## Recommendations")
        lines.append("")
        for recommendation in report.recommendations {
            let arm = recommendation.arm.map { " \(escape($0))" } ?? ""
            lines.append(
                "- **\(recommendation.action.rawValue)\(arm)** (confidence \(Format.chance(recommendation.confidence, digits: 1))): \(escape(recommendation.reason))"
            )
        }
        lines.append("")
        lines.append("## Variants")
        lines.append("")
        let level = percent(1 - report.alpha, digits: 0)
        lines.append(
            "| Variant | Impressions | \(metric.capitalized)s | Rate (\(level) interval) | \(report.primaryMetric.isValue ? "Revenue per impression vs control" : "Lift vs control") | P(best) | Expected loss | Text |"
        )
        lines.append("|---|---:|---:|---|---:|---:|---:|---|")
        for variant in report.variants {
            let name = escape(variant.key) + (variant.isControl ? " (control)" : "")
            let interval =
                variant.interval.count == 2
                ? "\(percent(variant.rate)) (\(percent(variant.interval[0])) – \(percent(variant.interval[1])))" : percent(variant.rate)
            var lift = variant.isControl ? "—" : variant.lift.map { signedPercent($0) } ?? "n/a"
            if !variant.isControl, variant.lift != nil, let range = variant.liftInterval, range.count == 2 {
                lift += " (\(signedPercent(range[0])) to \(signedPercent(range[1])))"
            }
            lines.append(
                "| \(name) | \(grouped(variant.impressions)) | \(grouped(variant.successes)) | \(interval) | \(lift) | \(Format.chance(variant.probabilityBest, digits: 1)) | \(String(format: "%.5f", variant.expectedLoss)) | \(escape(variant.text)) |"
            )
        }
        lines.append("")
        if let revenue = report.revenue { lines += revenueSection(revenue, alpha: report.alpha) }
        if let sendTime = report.charts.sendTime { lines += sendTimeSection(sendTime) }
        lines += channels(report)
        lines += engagementCollection(report)
        lines += publications(report)
        lines += testThenSend(report)
        lines += autopilot(report)
        if !report.days.isEmpty {
            lines.append("## Per day (UTC)")
            lines.append("")
            let keys = report.variants.map { escape($0.key) }
            lines.append("| Day | " + keys.map { "\($0) impressions | \($0) \(metric)s" }.joined(separator: " | ") + " |")
            lines.append("|---|" + Array(repeating: "---:|---:", count: keys.count).joined(separator: "|") + "|")
            for day in report.days {
                let cells = zip(day.impressions, day.successes).map { "\(grouped($0)) | \(grouped($1))" }
                lines.append("| \(String(Timestamp.format(day.day).prefix(10))) | " + cells.joined(separator: " | ") + " |")
            }
            lines.append("")
        }
        lines.append("## Method")
        lines.append("")
        let method =
            report.plannedTest.map { $0.methodLine + " " }
            ?? ("Winners and stops are called only on an always-valid confidence sequence (Holm-adjusted across variants), "
                + "so checking the results every day does not inflate false winners. ")
        lines.append(
            "Rates use Beta posteriors; P(best) and expected loss are exact one-dimensional integrals. " + method
                + "A sample-ratio check (chi-square, p < 0.001) blocks every call when the traffic split is off."
        )
        lines.append("")
        return lines.joined(separator: "\n")
    }

    /// The revenue table: revenue, revenue per impression and the difference to the control, each with its interval.
    static func revenueSection(_ revenue: RevenueSummary, alpha: Double) -> [String] {
        let level = percent(1 - alpha, digits: 0)
        var lines = ["## Revenue", ""]
        lines.append(
            "| Variant | Conversions | Revenue (\(level) interval) | Per impression (\(level) interval) | Per conversion | Difference per impression vs control (\(level) interval) | P(best) |"
        )
        lines.append("|---|---:|---|---|---:|---|---:|")
        for variant in revenue.variants {
            let name = escape(variant.key) + (variant.isControl ? " (control)" : "")
            var difference = "—"
            if let value = variant.difference, let range = variant.differenceInterval, range.count == 2 {
                difference =
                    "\(Format.signedMoney(value, digits: 4)) (\(Format.signedMoney(range[0], digits: 4)) to \(Format.signedMoney(range[1], digits: 4)))"
            }
            lines.append(
                "| \(name) | \(grouped(variant.conversions)) | \(Format.money(variant.revenue)) (\(Format.money(variant.revenueInterval[0])) – \(Format.money(variant.revenueInterval[1]))) "
                    + "| \(Format.money(variant.perImpression, digits: 4)) (\(Format.money(variant.perImpressionInterval[0], digits: 4)) – \(Format.money(variant.perImpressionInterval[1], digits: 4))) "
                    + "| \(variant.perConversion.map { Format.money($0) } ?? "—") | \(difference) | \(Format.chance(variant.probabilityBest, digits: 1)) |"
            )
        }
        lines.append("")
        lines.append(RevenueSummary.methodNote)
        lines.append("")
        return lines
    }

    /// The hours that credibly beat the channel average, or why none is marked.
    static func sendTimeSection(_ sendTime: Charts.SendTime) -> [String] {
        var lines = ["## Best send time", ""]
        if let note = sendTime.note {
            lines.append(escape(note.prefix(1).uppercased() + note.dropFirst()) + ".")
        } else {
            let cells = Dictionary(sendTime.cells.map { ($0.hourOfWeek, $0) }, uniquingKeysWith: { first, _ in first })
            for hour in sendTime.best {
                let rate = cells[hour].map { " (\(percent($0.rate)), \(grouped($0.trials)) impressions)" } ?? ""
                lines.append("- \(Format.hourOfWeek(hour)) \(escape(sendTime.timeZone))\(rate)")
            }
            lines.append("")
            lines.append(
                "These hours beat the rest of the channel (average \(percent(sendTime.average))) on one-sided Fisher exact tests, Holm-adjusted over the hours."
            )
        }
        lines.append("")
        return lines
    }

    /// Escapes text for use inside Markdown (and inside a table cell).
    ///
    /// Backslash-escapes what can start emphasis, code, links or table cells anywhere in a line,
    /// and `#`, `+`, `-`, `>` or a digit run's `.` only where they could start a block at the
    /// beginning; HTML brackets become entities; line breaks become spaces.
    public static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "\\", "`", "*", "_", "[", "]", "|", "~":
                result.append("\\")
                result.append(character)
            case "<": result.append("&lt;")
            case ">": result.append("&gt;")
            case "&": result.append("&amp;")
            case "\n", "\r", "\r\n": result.append(" ")
            default: result.append(character)
            }
        }
        if let first = result.first, "#+-=".contains(first) { result.insert("\\", at: result.startIndex) }
        return result
    }

    static func percent(_ value: Double, digits: Int = 2) -> String {
        String(format: "%.\(digits)f%%", value * 100)
    }

    static func signedPercent(_ value: Double) -> String {
        (value >= 0 ? "+" : "") + String(format: "%.1f%%", value * 100)
    }

    static func grouped(_ value: Int) -> String {
        let digits = String(value)
        var result = ""
        for (index, character) in digits.reversed().enumerated() {
            if index > 0 && index % 3 == 0 { result.append(",") }
            result.append(character)
        }
        return String(result.reversed())
    }
}
