import Foundation
import HeraldCore

/// Renders a report's per-day numbers as CSV: one row per variant per day, then the variant's text and the channel.
///
/// The first rows are every channel pooled (channel `all`); then, for reports with a channel breakdown, the same
/// columns per channel (cumulative within the channel; an empty channel is events without a publication).
///
/// Fields are quoted per RFC 4180 when needed, and a field that a spreadsheet would run as a
/// formula (starting with =, +, -, @, tab or carriage return) is prefixed with a quote mark.
public enum CSVRenderer {
    public static func render(_ report: ReportModel) -> String {
        let metric = report.primaryMetric.rawValue
        var lines = ["day,variant,impressions,\(metric)s,rate,cumulative_impressions,cumulative_\(metric)s,cumulative_rate,text,channel"]
        var cumulativeImpressions = Array(repeating: 0, count: report.variants.count)
        var cumulativeSuccesses = Array(repeating: 0, count: report.variants.count)
        for day in report.days {
            let date = String(Timestamp.format(day.day).prefix(10))
            for (index, variant) in report.variants.enumerated() where index < day.impressions.count {
                cumulativeImpressions[index] += day.impressions[index]
                cumulativeSuccesses[index] += day.successes[index]
                let fields = [
                    date, field(variant.key), String(day.impressions[index]), String(day.successes[index]),
                    rate(day.successes[index], day.impressions[index]), String(cumulativeImpressions[index]),
                    String(cumulativeSuccesses[index]), rate(cumulativeSuccesses[index], cumulativeImpressions[index]),
                    field(variant.text), "all",
                ]
                lines.append(fields.joined(separator: ","))
            }
        }
        lines += channelRows(report)
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

    static func rate(_ successes: Int, _ trials: Int) -> String {
        trials > 0 ? String(format: "%.6f", Double(successes) / Double(trials)) : ""
    }
}
