import Foundation
import HeraldCore

extension HTMLRenderer {
    /// The test-then-send section: the test share and sizes per variant, the winner with when, by whom or what and
    /// why, and the messages to the rest. Empty for campaigns without a test share.
    static func testThenSend(_ report: ReportModel) -> String {
        guard let summary = report.testThenSend else { return "" }
        var html = "<section class=\"test-then-send\"><h2>Test-then-send</h2>"
        html += "<p>\(HTMLEscaping.escape(Format.percent(summary.testShare, digits: 0))) of the audience got the test: "
        html += "\(HTMLEscaping.escape(Format.grouped(summary.testMessages))) messages.</p>"
        html += "<div class=\"table-wrap\"><table class=\"variants test-sizes\"><thead><tr>"
        html += "<th scope=\"col\">Variant</th><th scope=\"col\">Test messages</th></tr></thead><tbody>"
        for size in summary.testSizes {
            let won = summary.winner?.variant == size.variant ? " <strong>(winner)</strong>" : ""
            html += "<tr><td>\(HTMLEscaping.escape(size.variant))\(won)</td><td>\(HTMLEscaping.escape(Format.grouped(size.messages)))</td></tr>"
        }
        html += "</tbody></table></div>"
        html += "<p class=\"winner\">\(HTMLEscaping.escape(summary.winnerLine))</p>"
        if let winner = summary.winner {
            html += "<p>Why: \(HTMLEscaping.escape(winner.reason))</p>"
        }
        html += "<p>\(HTMLEscaping.escape(summary.restLine))</p>"
        return html + "</section>"
    }
}
