import Foundation
import HeraldCore

extension HTMLRenderer {
    /// How fresh each channel's pulled-back counts are and what its exposure is, one line per channel. Empty when the
    /// report has none.
    static func engagementCollection(_ report: ReportModel) -> String {
        guard let collection = report.engagementCollection, !collection.channels.isEmpty else { return "" }
        var html = "<section class=\"collection\"><h2>Counts pulled back from the platforms</h2><ul>"
        for channel in collection.channels {
            html += "<li>\(HTMLEscaping.escape(channel.freshness)); \(HTMLEscaping.escape(channel.exposureNote))</li>"
        }
        html += "</ul></section>"
        return html
    }
}
