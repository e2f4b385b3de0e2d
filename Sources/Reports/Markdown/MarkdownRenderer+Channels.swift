import Foundation
import HeraldCore

extension MarkdownRenderer {
    /// The per-channel section: which data decides, warnings where channels disagree with the pooled leader, and a
    /// table per channel. Empty when the report has no channel breakdown.
    static func channels(_ report: ReportModel) -> [String] {
        guard let breakdown = report.channels, !breakdown.channels.isEmpty else { return [] }
        let metric = report.primaryMetric.rawValue
        let level = percent(1 - report.alpha, digits: 0)
        var lines = ["## Per channel", "", escape(breakdown.decision), ""]
        for warning in breakdown.warnings { lines.append("> **Warning:** \(escape(warning))") }
        if !breakdown.warnings.isEmpty { lines.append("") }
        for channel in breakdown.channels {
            lines.append("### \(escape(channel.label)) (\(percent(channel.share, digits: 0)) of impressions)")
            lines.append("")
            lines.append("| Variant | Impressions | \(metric.capitalized)s | Rate (\(level) interval) | P(best) on this channel |")
            lines.append("|---|---:|---:|---|---:|")
            for variant in channel.variants {
                var name = escape(variant.key)
                if variant.key == channel.leader {
                    name += channel.agreesWithPooled == false ? " (leads here, not pooled)" : " (leads)"
                }
                let interval =
                    variant.interval.count == 2
                    ? "\(percent(variant.rate)) (\(percent(variant.interval[0])) – \(percent(variant.interval[1])))" : percent(variant.rate)
                lines.append(
                    "| \(name) | \(grouped(variant.impressions)) | \(grouped(variant.successes)) | \(interval) | \(Format.chance(variant.probabilityBest, digits: 1)) |"
                )
            }
            lines.append("")
        }
        return lines
    }
}
