import Foundation
import HeraldCore

extension CSVRenderer {
    /// The publications table, after the per-day rows and a blank line, only when there is something to say: its own
    /// header (`publication,variant,channel,account,scheduled_at,state,failure_class,reason`), a `dry_run` row saying
    /// "dry run: nothing was posted" for a dry-run campaign, then one row per failed publication with its reason.
    static func publicationRows(_ report: ReportModel) -> [String] {
        guard let summary = report.publications, summary.dryRun || !summary.failed.isEmpty else { return [] }
        var lines = ["", "publication,variant,channel,account,scheduled_at,state,failure_class,reason"]
        if summary.dryRun { lines.append(",,,,,dry_run,,\(field(PublicationSummary.dryRunNotice))") }
        for failed in summary.failed {
            lines.append(
                [
                    field(failed.id), field(failed.variant), field(failed.channel), field(failed.account ?? ""), Timestamp.format(failed.scheduledAt),
                    "failed", field(failed.failureClass ?? ""), field(failed.reason),
                ].joined(separator: ",")
            )
        }
        return lines
    }
}
