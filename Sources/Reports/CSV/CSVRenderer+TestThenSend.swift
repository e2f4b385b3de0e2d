import Foundation
import HeraldCore

extension CSVRenderer {
    /// The test-then-send table, after a blank line, for campaigns with a test share: its own header
    /// (`test_variant,test_messages,test_share,winner,chosen_by,chosen_at,reason,rest_messages,rest_sent`) and one row
    /// per variant, the winner's columns repeated on each (empty while the test runs).
    static func testThenSendRows(_ report: ReportModel) -> [String] {
        guard let summary = report.testThenSend else { return [] }
        var lines = ["", "test_variant,test_messages,test_share,winner,chosen_by,chosen_at,reason,rest_messages,rest_sent"]
        let winner = summary.winner
        for size in summary.testSizes {
            lines.append(
                [
                    field(size.variant), "\(size.messages)", "\(summary.testShare)", field(winner?.variant ?? ""), field(winner?.chosenBy ?? ""),
                    winner.map { Timestamp.format($0.chosenAt) } ?? "", field(winner?.reason ?? ""), "\(summary.restMessages)", "\(summary.restSent)",
                ].joined(separator: ",")
            )
        }
        return lines
    }
}
