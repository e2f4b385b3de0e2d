import Foundation
import HeraldCore

extension HTMLRenderer {
    /// The dry-run notice shown in the header, or nothing when the campaign posts for real.
    static func dryRunNotice(_ report: ReportModel) -> String {
        guard report.publications?.dryRun == true else { return "" }
        return "<p class=\"note dry-run\" role=\"status\"><strong>\(HTMLEscaping.escape(PublicationSummary.dryRunNotice)).</strong> "
            + "This campaign is a dry run: its publications went to Herald's dry-run sink only.</p>"
    }

    /// The publications section: counts per state, then a table of every failed publication with its reason. Empty for
    /// reports without a publication summary.
    static func publications(_ report: ReportModel) -> String {
        guard let summary = report.publications else { return "" }
        let line = summary.countsLine
        var html = "<section class=\"publications\"><h2>Publications</h2>"
        html += "<p>\(HTMLEscaping.escape(line.prefix(1).uppercased() + line.dropFirst())).</p>"
        guard !summary.failed.isEmpty else { return html + "</section>" }
        html += "<h3>Failed publications</h3><div class=\"table-wrap\"><table class=\"variants failed-publications\"><thead><tr>"
        for title in ["Publication", "Variant", "Channel", "Account", "Scheduled", "Failure", "Reason"] {
            html += "<th scope=\"col\">\(title)</th>"
        }
        html += "</tr></thead><tbody>"
        for failed in summary.failed {
            html += "<tr><td><code>\(HTMLEscaping.escape(failed.id))</code></td><td>\(HTMLEscaping.escape(failed.variant))</td>"
            html += "<td>\(HTMLEscaping.escape(failed.channel))</td><td>\(HTMLEscaping.escape(failed.account ?? "—"))</td>"
            html += "<td>\(HTMLEscaping.escape(Format.minute(failed.scheduledAt)))</td>"
            html += "<td>\(HTMLEscaping.escape(failed.failureClass ?? "—"))</td><td>\(HTMLEscaping.escape(failed.reason))</td></tr>"
        }
        html += "</tbody></table></div>"
        if summary.failedCount > summary.failed.count {
            html += "<p class=\"hint\">The \(summary.failed.count) newest of \(summary.failedCount) failed publications are listed.</p>"
        }
        html += "<p class=\"hint\">Send one again with <code>herald publications retry ID</code> once its cause is fixed.</p>"
        return html + "</section>"
    }
}
