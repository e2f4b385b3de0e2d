import Foundation
import HeraldCore

extension HTMLRenderer {
    /// The autopilot section: its mode and each action with when, what, its effect, why and who decided. Empty when autopilot was
    /// never on for the campaign.
    static func autopilot(_ report: ReportModel) -> String {
        guard let summary = report.autopilot else { return "" }
        var html = "<section class=\"autopilot\"><h2>Autopilot</h2><p>\(HTMLEscaping.escape(summary.modeLine))</p>"
        guard !summary.actions.isEmpty else { return html + "<p>No action yet.</p></section>" }
        html += "<div class=\"table-wrap\"><table class=\"autopilot-actions\"><thead><tr><th scope=\"col\">When</th>"
        html += "<th scope=\"col\">Action</th><th scope=\"col\">Effect</th><th scope=\"col\">Why</th><th scope=\"col\">State</th></tr></thead><tbody>"
        for action in summary.actions {
            html += "<tr><td>\(HTMLEscaping.escape(Format.minute(action.at)))</td><td>\(HTMLEscaping.escape(action.kind))</td>"
            html += "<td>\(HTMLEscaping.escape(action.effect ?? ""))</td>"
            html += "<td>\(HTMLEscaping.escape(action.reason))</td><td>\(HTMLEscaping.escape(action.stateLine))</td></tr>"
        }
        return html + "</tbody></table></div></section>"
    }
}
