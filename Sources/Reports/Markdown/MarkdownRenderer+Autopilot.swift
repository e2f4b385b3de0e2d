import Foundation
import HeraldCore

extension MarkdownRenderer {
    /// The autopilot section: its mode and each action with when, what, its effect, why and who decided. Empty when autopilot was
    /// never on for the campaign.
    static func autopilot(_ report: ReportModel) -> [String] {
        guard let summary = report.autopilot else { return [] }
        var lines = ["## Autopilot", "", escape(summary.modeLine), ""]
        guard !summary.actions.isEmpty else { return lines + ["No action yet.", ""] }
        lines.append("| When | Action | Effect | Why | State |")
        lines.append("|---|---|---|---|---|")
        for action in summary.actions {
            lines.append(
                "| \(Format.minute(action.at)) | \(escape(action.kind)) | \(escape(action.effect ?? "")) | \(escape(action.reason)) | "
                    + "\(escape(action.stateLine)) |"
            )
        }
        lines.append("")
        return lines
    }
}
