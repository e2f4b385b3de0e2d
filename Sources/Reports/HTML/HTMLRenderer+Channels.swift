import Foundation
import HeraldCore

extension HTMLRenderer {
    /// The per-channel section: which data decides, warnings where channels disagree with the pooled leader, and one
    /// table with each channel's variants. Empty when the report has no channel breakdown.
    static func channels(_ report: ReportModel) -> String {
        guard let breakdown = report.channels, !breakdown.channels.isEmpty else { return "" }
        let metric = HTMLEscaping.escape(report.primaryMetric.rawValue.capitalized)
        let level = Format.percent(1 - report.alpha, digits: 0)
        let index = Dictionary(report.variants.enumerated().map { ($1.key, $0) }, uniquingKeysWith: { first, _ in first })
        var html = "<section class=\"channels\"><h2>Per channel</h2><p>\(HTMLEscaping.escape(breakdown.decision))</p>"
        for warning in breakdown.warnings {
            html += "<p class=\"note\" role=\"alert\"><strong>Warning:</strong> \(HTMLEscaping.escape(warning))</p>"
        }
        html += "<div class=\"table-wrap\"><table class=\"variants by-channel\"><thead><tr>"
        html += "<th scope=\"col\">Channel</th><th scope=\"col\">Variant</th><th scope=\"col\">Impressions</th>"
        html += "<th scope=\"col\">\(metric)s</th><th scope=\"col\">Rate <span class=\"sub\">\(level) interval</span></th>"
        html += "<th scope=\"col\">P(best) <span class=\"sub\">on the channel</span></th></tr></thead><tbody>"
        for channel in breakdown.channels {
            for (position, variant) in channel.variants.enumerated() {
                let leads = variant.key == channel.leader
                html += "<tr\(leads ? " class=\"leader\"" : "")>"
                if position == 0 {
                    html += "<th scope=\"rowgroup\" rowspan=\"\(channel.variants.count)\">\(HTMLEscaping.escape(channel.label))"
                    html += "<span class=\"interval\">\(Format.percent(channel.share, digits: 0)) of impressions</span></th>"
                }
                html += "<td><span class=\"key-swatch\" style=\"background:\(Palette.color(index[variant.key] ?? 0))\"></span>"
                html += HTMLEscaping.escape(variant.key)
                if leads {
                    let badge = channel.agreesWithPooled == false ? "leads here, not pooled" : "leads"
                    html += " <span class=\"badge\">\(badge)</span>"
                }
                html += "</td><td>\(Format.grouped(variant.impressions))</td><td>\(Format.grouped(variant.successes))</td>"
                html += "<td>\(Format.percent(variant.rate))"
                if variant.interval.count == 2 {
                    html += "<span class=\"interval\">\(Format.percent(variant.interval[0])) – \(Format.percent(variant.interval[1]))</span>"
                }
                html += "</td><td>\(Format.chance(variant.probabilityBest, digits: 1))</td></tr>"
            }
        }
        html += "</tbody></table></div>"
        html +=
            "<p class=\"hint\">Each channel is scored on its own; calls are made on all channels pooled. A channel that leads with another variant is worth a look before acting on the pooled result.</p></section>"
        return html
    }
}
