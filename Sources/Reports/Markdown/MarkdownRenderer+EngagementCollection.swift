import Foundation

extension MarkdownRenderer {
    /// How fresh each channel's pulled-back counts are and what its exposure is, one line per channel. Empty when the
    /// report has none.
    static func engagementCollection(_ report: ReportModel) -> [String] {
        guard let collection = report.engagementCollection, !collection.channels.isEmpty else { return [] }
        var lines = ["## Counts pulled back from the platforms", ""]
        for channel in collection.channels {
            lines.append("- \(escape(channel.freshness)); \(escape(channel.exposureNote))")
        }
        lines.append("")
        return lines
    }
}
