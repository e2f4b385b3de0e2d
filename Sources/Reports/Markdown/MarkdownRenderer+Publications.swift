import Foundation
import HeraldCore

extension MarkdownRenderer {
    /// The dry-run notice shown under the title, or nothing when the campaign posts for real.
    static func dryRunNotice(_ report: ReportModel) -> [String] {
        guard report.publications?.dryRun == true else { return [] }
        return ["> **\(PublicationSummary.dryRunNotice).** This campaign is a dry run: its publications went to Herald's dry-run sink only.", ""]
    }

    /// The publications section: counts per state, then every failed publication with its reason. Empty for reports
    /// without a publication summary.
    static func publications(_ report: ReportModel) -> [String] {
        guard let summary = report.publications else { return [] }
        var lines = ["## Publications", ""]
        lines.append(escape(summary.countsLine.prefix(1).uppercased() + summary.countsLine.dropFirst()) + ".")
        lines.append("")
        guard !summary.failed.isEmpty else { return lines }
        lines.append("### Failed publications")
        lines.append("")
        lines.append("| Publication | Variant | Channel | Account | Scheduled | Failure | Reason |")
        lines.append("|---|---|---|---|---|---|---|")
        for failed in summary.failed {
            lines.append(
                "| `\(failed.id)` | \(escape(failed.variant)) | \(escape(failed.channel)) | \(failed.account.map(escape) ?? "—") "
                    + "| \(Timestamp.format(failed.scheduledAt)) | \(failed.failureClass.map(escape) ?? "—") | \(escape(failed.reason)) |"
            )
        }
        if summary.failedCount > summary.failed.count {
            lines.append("")
            lines.append("The \(summary.failed.count) newest of \(summary.failedCount) failed publications are listed.")
        }
        lines.append("")
        lines.append("Send one again with `herald publications retry ID` once its cause is fixed.")
        lines.append("")
        return lines
    }
}
