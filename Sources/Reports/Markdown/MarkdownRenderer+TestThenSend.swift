import Foundation
import HeraldCore

extension MarkdownRenderer {
    /// The test-then-send section: the test share and sizes per variant, the winner with when, by whom or what and
    /// why, and the messages to the rest. Empty for campaigns without a test share.
    static func testThenSend(_ report: ReportModel) -> [String] {
        guard let summary = report.testThenSend else { return [] }
        var lines = ["## Test-then-send", ""]
        lines.append(
            "\(Format.percent(summary.testShare, digits: 0)) of the audience got the test: \(Format.grouped(summary.testMessages)) messages."
        )
        lines.append("")
        lines.append("| Variant | Test messages |")
        lines.append("|---|---:|")
        for size in summary.testSizes {
            let won = summary.winner?.variant == size.variant ? " **(winner)**" : ""
            lines.append("| \(escape(size.variant))\(won) | \(Format.grouped(size.messages)) |")
        }
        lines.append("")
        lines.append(escape(summary.winnerLine))
        if let winner = summary.winner {
            lines.append("")
            lines.append("Why: " + escape(winner.reason))
        }
        lines.append("")
        lines.append(escape(summary.restLine))
        lines.append("")
        return lines
    }
}
