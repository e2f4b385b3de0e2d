import Analytics
import Foundation
import HeraldCore

/// Renders a report's per-day numbers as CSV: one row per variant per day, then the variant's text and the channel;
/// when the campaign's conversions carry values, revenue columns (the day's, cumulative, and cumulative revenue per
/// impression with its log-scale interval) come before the text.
///
/// The first rows are every channel pooled (channel `all`); then, for reports with a channel breakdown, the same
/// columns per channel (cumulative within the channel; an empty channel is events without a publication; their revenue
/// columns are left empty). For a dry-run campaign or one with failed publications, a second table follows after a
/// blank line: the publications, each failed one with its reason (``publicationRows(_:)``). A test-then-send campaign
/// adds its test sizes and winner as one more table (``testThenSendRows(_:)``).
///
/// Fields are quoted per RFC 4180 when needed, and a field that a spreadsheet would run as a
/// formula (starting with =, +, -, @, tab or carriage return) is prefixed with a quote mark.
public enum CSVRenderer {
    public static func render(_ report: ReportModel) -> String {
        let metric = report.primaryMetric.eventKind.rawValue
        // Revenue columns only when the campaign's conversions carry values, so other campaigns' files keep their columns.
        let values = report.revenue != nil
        let revenueColumns =
            values
            ? "revenue,cumulative_revenue,cumulative_revenue_per_impression,cumulative_revenue_per_impression_low,cumulative_revenue_per_impression_high,"
            : ""
        var lines = [
            "day,variant,impressions,\(metric)s,rate,cumulative_impressions,cumulative_\(metric)s,cumulative_rate,\(revenueColumns)text,channel"
        ]
        var cumulativeImpressions = Array(repeating: 0, count: report.variants.count)
        var cumulativeSuccesses = Array(repeating: 0, count: report.variants.count)
        var cumulativeValues = Array(repeating: 0.0, count: report.variants.count)
        var cumulativeSquares = Array(repeating: 0.0, count: report.variants.count)
        for day in report.days {
            let date = String(Timestamp.format(day.day).prefix(10))
            for (index, variant) in report.variants.enumerated() where index < day.impressions.count {
                cumulativeImpressions[index] += day.impressions[index]
                cumulativeSuccesses[index] += day.successes[index]
                var fields = [
                    date, field(variant.key), String(day.impressions[index]), String(day.successes[index]),
                    rate(day.successes[index], day.impressions[index]), String(cumulativeImpressions[index]),
                    String(cumulativeSuccesses[index]), rate(cumulativeSuccesses[index], cumulativeImpressions[index]),
                ]
                if values {
                    let value = day.valueSums.flatMap { index < $0.count ? $0[index] : nil } ?? 0
                    cumulativeValues[index] += value
                    cumulativeSquares[index] += day.valueSumSquares.flatMap { index < $0.count ? $0[index] : nil } ?? 0
                    let summary = MeanSummary(n: cumulativeImpressions[index], sum: cumulativeValues[index], sumSquares: cumulativeSquares[index])
                    let interval = summary.logScaleInterval(alpha: report.alpha)
                    let perImpression = cumulativeImpressions[index] > 0
                    fields += [
                        number(value), number(cumulativeValues[index]), perImpression ? number(summary.mean) : "",
                        perImpression ? number(interval.lowerBound) : "", perImpression ? number(interval.upperBound) : "",
                    ]
                }
                fields += [field(variant.text), "all"]
                lines.append(fields.joined(separator: ","))
            }
        }
        lines += channelRows(report, revenueColumns: values ? 5 : 0)
        lines += publicationRows(report)
        lines += testThenSendRows(report)
        return lines.joined(separator: "\n") + "\n"
    }

    /// Quotes a text field for CSV and defuses spreadsheet formulas.
    public static func field(_ text: String) -> String {
        var value = text
        if let first = value.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) {
            value = "'" + value
        }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "'" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func number(_ value: Double) -> String {
        String(format: "%.6f", value)
    }

    static func rate(_ successes: Int, _ trials: Int) -> String {
        trials > 0 ? String(format: "%.6f", Double(successes) / Double(trials)) : ""
    }
}
