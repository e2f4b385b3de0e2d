import Foundation
import HeraldCore

/// Draws a report's charts as inline SVG: no script, no external assets.
///
/// Each function returns one `<figure>` with a title, a line on how to read it, an HTML legend
/// and the SVG (or a sentence saying why there is nothing to draw yet). Every text from the
/// model goes through ``HTMLEscaping``.
enum ChartRenderer {
    /// Cumulative rate per variant over time, with its credible-interval band.
    static func cumulativeRate(_ report: ReportModel) -> String {
        let metric = report.primaryMetric.eventKind.rawValue
        let title = "Cumulative \(metric) rate"
        let note =
            "Each line is a variant's \(metric) rate so far; the shaded band is its \(level(report)) credible interval, which narrows as data comes in."
        let series = report.charts.cumulativeRate.filter { !$0.points.isEmpty }
        guard !series.isEmpty else { return figure(title: title, note: note, body: empty("No impressions yet.")) }
        let days = allDays(series)
        // Early days have wide intervals: scale the axis to the settled part, and clip the rest.
        let settledFrom = days.count >= 5 ? days[days.count / 5] : days[0]
        let settled = series.flatMap { $0.points.filter { $0.day >= settledFrom } }
        let low = settled.map { $0.lower ?? $0.value }.min()!
        let high = settled.map { $0.upper ?? $0.value }.max()!
        var plot = SVGPlot()
        plot.xDomain = timeDomain(days)
        plot.yDomain = SVGPlot.niceDomain(max(0, low)...high)
        var svg = plot.open(chart: "cumulative-rate", title: title) + "<defs>" + plot.clip(id: "clip-cumulative") + "</defs>"
        svg += plot.yAxis(ticks: SVGPlot.ticks(plot.yDomain), label: { axisPercent($0, span: plot.yDomain) }, title: "\(metric) rate")
        svg += plot.xAxis(ticks: SVGPlot.dayTicks(days), title: "day (UTC)")
        svg += "<g clip-path=\"url(#clip-cumulative)\">"
        for (index, line) in series.enumerated() {
            let xs = line.points.map { $0.day.timeIntervalSince1970 }
            svg +=
                "<path class=\"band\" fill=\"\(color(report, line.key, index))\" d=\"\(plot.band(x: xs, lower: line.points.map { $0.lower ?? $0.value }, upper: line.points.map { $0.upper ?? $0.value }))\"/>"
        }
        for (index, line) in series.enumerated() {
            svg += linePath(plot, line.points.map { ($0.day.timeIntervalSince1970, $0.value) }, report: report, key: line.key, fallback: index)
        }
        svg += "</g>"
        svg += endLabels(plot, series: series.map { ($0.key, $0.points.last!.value) }, report: report)
        return figure(title: title, note: note, legend: legend(report, keys: series.map(\.key), band: true), body: svg + "</svg>")
    }

    /// Posterior density of each variant's rate now.
    static func densities(_ report: ReportModel) -> String {
        let metric = report.primaryMetric.eventKind.rawValue
        let title = "Where each \(metric) rate probably lies"
        let note = "Posterior densities: the taller and narrower a curve, the surer the rate; curves that barely overlap mean a clear difference."
        let curves = report.charts.densities.filter { !$0.points.isEmpty }
        guard !curves.isEmpty else { return figure(title: title, note: note, body: empty("No impressions yet.")) }
        let xs = curves.flatMap { $0.points.map { $0[0] } }
        let peak = curves.flatMap { $0.points.map { $0[1] } }.max() ?? 1
        var plot = SVGPlot()
        plot.left = 20
        plot.xDomain = xs.min()!...xs.max()!
        plot.yDomain = 0...(peak * 1.12)
        let ticks = SVGPlot.ticks(plot.xDomain, count: 5).map { (value: $0, label: axisPercent($0, span: plot.xDomain)) }
        var svg = plot.open(chart: "posterior-density", title: title)
        svg += plot.xAxis(ticks: ticks, title: "\(metric) rate")
        svg +=
            "<text class=\"axis-title\" transform=\"translate(12 \(svgNumber(plot.top + plot.plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">probability density</text>"
        for (index, curve) in curves.enumerated() {
            let points = curve.points.map { ($0[0], $0[1]) }
            let area =
                plot.path(points)
                + "L\(svgNumber(plot.x(points.last!.0))),\(svgNumber(plot.y(0)))L\(svgNumber(plot.x(points[0].0))),\(svgNumber(plot.y(0)))Z"
            svg += "<path class=\"area\" fill=\"\(color(report, curve.key, index))\" d=\"\(area)\"/>"
        }
        for (index, curve) in curves.enumerated() {
            svg += linePath(plot, curve.points.map { ($0[0], $0[1]) }, report: report, key: curve.key, fallback: index)
            if let top = curve.points.max(by: { $0[1] < $1[1] }) {
                svg +=
                    "<text class=\"peak-label\" x=\"\(svgNumber(plot.x(top[0])))\" y=\"\(svgNumber(plot.y(top[1]) - 5))\" text-anchor=\"middle\">\(HTMLEscaping.escape(curve.key))</text>"
            }
        }
        return figure(title: title, note: note, legend: legend(report, keys: curves.map(\.key)), body: svg + "</svg>")
    }

    /// P(best) per variant over time, with the 95% line.
    static func probabilityBest(_ report: ReportModel) -> String {
        let title = "Chance to be best, over time"
        let note = "How the probability that each variant has the highest rate evolved as data came in (from the cumulative counts each day)."
        let series = report.charts.probabilityBest.filter { !$0.points.isEmpty }
        guard !series.isEmpty else { return figure(title: title, note: note, body: empty("Every variant needs impressions first.")) }
        let days = allDays(series)
        var plot = SVGPlot()
        plot.xDomain = timeDomain(days)
        plot.yDomain = 0...1
        var svg = plot.open(chart: "probability-best", title: title)
        svg += plot.yAxis(ticks: [0, 0.25, 0.5, 0.75, 1], label: { Format.percent($0, digits: 0) }, title: "P(best)")
        svg += plot.xAxis(ticks: SVGPlot.dayTicks(days), title: "day (UTC)")
        let reference = plot.y(0.95)
        svg +=
            "<line class=\"reference\" x1=\"\(svgNumber(plot.left))\" x2=\"\(svgNumber(plot.left + plot.plotWidth))\" y1=\"\(svgNumber(reference))\" y2=\"\(svgNumber(reference))\"/>"
        svg += "<text class=\"reference-label\" x=\"\(svgNumber(plot.left + 4))\" y=\"\(svgNumber(reference - 4))\">95%</text>"
        for (index, line) in series.enumerated() {
            svg += linePath(plot, line.points.map { ($0.day.timeIntervalSince1970, $0.value) }, report: report, key: line.key, fallback: index)
        }
        svg += endLabels(plot, series: series.map { ($0.key, $0.points.last!.value) }, report: report)
        return figure(title: title, note: note, legend: legend(report, keys: series.map(\.key)), body: svg + "</svg>")
    }

    /// Each variant's share of each day's impressions, stacked, and the advised split for the next period.
    static func allocation(_ report: ReportModel) -> String {
        let title = "Traffic allocation"
        let note =
            "Each variant's share of the day's impressions; the bar on the right is the split Herald advises next (each share is the chance to be best, with a 5% floor)."
        let series = report.charts.allocation
        let days = allDays(series)
        guard !days.isEmpty else { return figure(title: title, note: note, body: empty("No impressions yet.")) }
        let next = report.variants.map(\.nextShare)
        let hasNext = next.allSatisfy { $0 != nil } && !next.isEmpty
        var plot = SVGPlot()
        plot.right = hasNext ? 56 : 12
        plot.xDomain = timeDomain(days)
        plot.yDomain = 0...1
        var svg = plot.open(chart: "traffic-allocation", title: title)
        svg += plot.yAxis(ticks: [0, 0.25, 0.5, 0.75, 1], label: { Format.percent($0, digits: 0) }, title: "share of impressions")
        svg += plot.xAxis(ticks: SVGPlot.dayTicks(days), title: "day (UTC)")
        // Stack in variant order: the band of variant i lies between the sums of shares before and through it.
        var below = Array(repeating: 0.0, count: days.count)
        let position = Dictionary(uniqueKeysWithValues: days.enumerated().map { ($1, $0) })
        let xs = days.map(\.timeIntervalSince1970)
        for (index, line) in series.enumerated() {
            var share = Array(repeating: 0.0, count: days.count)
            for point in line.points { if let day = position[point.day] { share[day] = point.value } }
            let above = zip(below, share).map(+)
            let stepped = steps(xs, lower: below, upper: above)
            svg +=
                "<path class=\"stack\" fill=\"\(color(report, line.key, index))\" d=\"\(plot.band(x: stepped.x, lower: stepped.lower, upper: stepped.upper))\"><title>\(HTMLEscaping.escape(line.key))</title></path>"
            below = above
        }
        if hasNext {
            let barX = plot.left + plot.plotWidth + 14
            var start = 0.0
            for (index, variant) in report.variants.enumerated() {
                let share = variant.nextShare ?? 0
                let y0 = plot.y(start + share)
                svg +=
                    "<rect class=\"stack\" x=\"\(svgNumber(barX))\" y=\"\(svgNumber(y0))\" width=\"22\" height=\"\(svgNumber(plot.y(start) - y0))\" fill=\"\(Palette.color(index))\"><title>\(HTMLEscaping.escape(variant.key)) next: \(Format.percent(share, digits: 0))</title></rect>"
                if share >= 0.08 {
                    svg +=
                        "<text class=\"bar-label\" x=\"\(svgNumber(barX + 11))\" y=\"\(svgNumber(y0 + (plot.y(start) - y0) / 2 + 4))\" text-anchor=\"middle\">\(HTMLEscaping.escape(variant.key))</text>"
                }
                start += share
            }
            svg += "<text x=\"\(svgNumber(barX + 11))\" y=\"\(svgNumber(plot.top + plot.plotHeight + 16))\" text-anchor=\"middle\">next</text>"
        }
        return figure(title: title, note: note, legend: legend(report, keys: series.map(\.key), filled: true), body: svg + "</svg>")
    }

    /// Engagement by hour of week, Monday to Sunday by 24 hours, with the best slots outlined.
    static func sendTime(_ report: ReportModel) -> String {
        let title = "When people engage (hour of week)"
        guard let heat = report.charts.sendTime, !heat.cells.isEmpty else {
            return figure(
                title: title,
                note: "Engagement rate by weekday and hour on this campaign's channel.",
                body: empty("No hourly engagement data for this channel yet.")
            )
        }
        var note =
            "\(report.primaryMetric.eventKind.rawValue.capitalized) rate by weekday and hour (\(heat.timeZone)), each cell shrunk toward the channel average of \(Format.percent(heat.average)); numbered outlines mark the hours that credibly beat the rest of the channel (exact tests, Holm over the hours)."
        if let nothing = heat.note { note += " " + nothing.prefix(1).uppercased() + nothing.dropFirst() + "." }
        let cells = Dictionary(heat.cells.map { ($0.hourOfWeek, $0) }, uniquingKeysWith: { first, _ in first })
        let rates = heat.cells.map(\.rate)
        let low = rates.min()!
        let high = rates.max()!
        let left = 38.0
        let top = 8.0
        let cellWidth = (460 - left - 8) / 24
        let cellHeight = 20.0
        let gridBottom = top + cellHeight * 7
        let height = gridBottom + 64
        var svg =
            "<svg class=\"chart-svg\" data-chart=\"send-time-heatmap\" viewBox=\"0 0 460 \(svgNumber(height))\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\"><title>\(HTMLEscaping.escape(title))</title>"
        svg += "<defs><linearGradient id=\"heat-scale\" x1=\"0\" x2=\"1\" y1=\"0\" y2=\"0\">"
        for stop in 0...8 {
            svg += "<stop offset=\"\(svgNumber(Double(stop) / 8))\" stop-color=\"\(Palette.viridis(Double(stop) / 8))\"/>"
        }
        svg += "</linearGradient></defs>"
        let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        for (row, name) in weekdays.enumerated() {
            svg +=
                "<text x=\"\(svgNumber(left - 6))\" y=\"\(svgNumber(top + Double(row) * cellHeight + cellHeight / 2 + 4))\" text-anchor=\"end\">\(name)</text>"
            for hour in 0..<24 {
                let x = left + Double(hour) * cellWidth
                let y = top + Double(row) * cellHeight
                if let cell = cells[row * 24 + hour] {
                    let t = high > low ? (cell.rate - low) / (high - low) : 0.5
                    svg +=
                        "<rect x=\"\(svgNumber(x))\" y=\"\(svgNumber(y))\" width=\"\(svgNumber(cellWidth - 1))\" height=\"\(svgNumber(cellHeight - 1))\" fill=\"\(Palette.viridis(t))\"><title>\(name) \(String(format: "%02d:00", hour)): \(Format.percent(cell.rate)) (\(Format.grouped(cell.trials)) impressions)</title></rect>"
                } else {
                    svg +=
                        "<rect class=\"no-data\" x=\"\(svgNumber(x))\" y=\"\(svgNumber(y))\" width=\"\(svgNumber(cellWidth - 1))\" height=\"\(svgNumber(cellHeight - 1))\"/>"
                }
            }
        }
        for (rank, hourOfWeek) in heat.best.enumerated() {
            let x = left + Double(hourOfWeek % 24) * cellWidth
            let y = top + Double(hourOfWeek / 24) * cellHeight
            svg +=
                "<rect class=\"best\" x=\"\(svgNumber(x - 0.5))\" y=\"\(svgNumber(y - 0.5))\" width=\"\(svgNumber(cellWidth))\" height=\"\(svgNumber(cellHeight))\"/>"
            svg +=
                "<text class=\"best-label\" x=\"\(svgNumber(x + cellWidth / 2 - 0.5))\" y=\"\(svgNumber(y + cellHeight / 2 + 3.5))\" text-anchor=\"middle\">\(rank + 1)</text>"
        }
        for hour in stride(from: 0, to: 24, by: 3) {
            svg +=
                "<text x=\"\(svgNumber(left + Double(hour) * cellWidth + cellWidth / 2))\" y=\"\(svgNumber(gridBottom + 13))\" text-anchor=\"middle\">\(String(format: "%02d", hour))</text>"
        }
        svg +=
            "<text class=\"axis-title\" x=\"\(svgNumber(left + 12 * cellWidth))\" y=\"\(svgNumber(gridBottom + 27))\" text-anchor=\"middle\">hour of day (\(HTMLEscaping.escape(heat.timeZone)))</text>"
        let legendY = gridBottom + 38
        svg += "<rect x=\"\(svgNumber(left + 70))\" y=\"\(svgNumber(legendY))\" width=\"200\" height=\"10\" fill=\"url(#heat-scale)\"/>"
        svg += "<text x=\"\(svgNumber(left + 64))\" y=\"\(svgNumber(legendY + 9))\" text-anchor=\"end\">\(Format.percent(low))</text>"
        svg += "<text x=\"\(svgNumber(left + 276))\" y=\"\(svgNumber(legendY + 9))\">\(Format.percent(high))</text>"
        svg +=
            "<rect class=\"no-data\" x=\"\(svgNumber(left + 340))\" y=\"\(svgNumber(legendY))\" width=\"10\" height=\"10\"/><text x=\"\(svgNumber(left + 354))\" y=\"\(svgNumber(legendY + 9))\">no data</text>"
        return figure(title: title, note: note, body: svg + "</svg>")
    }

    /// Feature effects as odds ratios with intervals (a forest plot on a log scale).
    static func featureEffects(_ report: ReportModel) -> String {
        let title = "What in the content goes with engagement"
        let note =
            "Odds ratio per unit of each content feature across this workspace's variants, with its \(level(report)) interval; an effect counts only when its interval stays clear of 1 (no effect)."
        let effects = report.charts.featureEffects
        guard !effects.isEmpty else {
            return figure(
                title: title,
                note: note,
                body: empty(
                    "No feature effects yet: they need more variants with measured content features (generated variants carry them) than features."
                )
            )
        }
        let bounds = effects.flatMap { $0.interval + [$0.oddsRatio] }.filter { $0 > 0 && $0.isFinite }
        let low = log(min(bounds.min() ?? 0.8, 0.8))
        let high = log(max(bounds.max() ?? 1.25, 1.25))
        let rowHeight = 26.0
        var plot = SVGPlot()
        plot.left = 130
        plot.right = 16
        plot.top = 8
        plot.height = plot.top + rowHeight * Double(effects.count) + plot.bottom
        plot.xDomain = low...high
        plot.yDomain = 0...Double(effects.count)
        let candidates = [0.25, 0.5, 0.67, 0.8, 1, 1.25, 1.5, 2, 3, 4, 8]
        let ticks = candidates.filter { log($0) >= low && log($0) <= high }.map { (value: log($0), label: String(format: "%g×", $0)) }
        var svg = plot.open(chart: "feature-effects", title: title)
        svg += plot.xAxis(ticks: ticks, title: "odds ratio (log scale)")
        let one = plot.x(0)
        svg +=
            "<line class=\"reference\" x1=\"\(svgNumber(one))\" x2=\"\(svgNumber(one))\" y1=\"\(svgNumber(plot.top))\" y2=\"\(svgNumber(plot.top + plot.plotHeight))\"/>"
        for (row, effect) in effects.enumerated() {
            let y = plot.top + rowHeight * (Double(row) + 0.5)
            let tone = !effect.significant ? "#6b7280" : (effect.oddsRatio >= 1 ? "#009E73" : "#D55E00")
            let lower = plot.x(log(max(effect.interval[0], 1e-9)))
            let upper = plot.x(log(max(effect.interval[1], 1e-9)))
            svg +=
                "<text x=\"\(svgNumber(plot.left - 8))\" y=\"\(svgNumber(y + 4))\" text-anchor=\"end\">\(HTMLEscaping.escape(effect.feature))</text>"
            svg +=
                "<line x1=\"\(svgNumber(lower))\" x2=\"\(svgNumber(upper))\" y1=\"\(svgNumber(y))\" y2=\"\(svgNumber(y))\" stroke=\"\(tone)\" stroke-width=\"2.5\"/>"
            svg +=
                "<circle cx=\"\(svgNumber(plot.x(log(effect.oddsRatio))))\" cy=\"\(svgNumber(y))\" r=\"5\" fill=\"\(tone)\"><title>\(HTMLEscaping.escape(effect.feature)): \(String(format: "%.2f", effect.oddsRatio))× (\(String(format: "%.2f", effect.interval[0]))–\(String(format: "%.2f", effect.interval[1])))</title></circle>"
        }
        let legend =
            "<ul class=\"legend\"><li><span class=\"dot\" style=\"background:#009E73\"></span>credibly positive</li><li><span class=\"dot\" style=\"background:#D55E00\"></span>credibly negative</li><li><span class=\"dot\" style=\"background:#6b7280\"></span>not distinguishable from no effect</li></ul>"
        return figure(title: title, note: note, legend: legend, body: svg + "</svg>")
    }

    // MARK: - Pieces

    static func figure(title: String, note: String, legend: String = "", body: String) -> String {
        "<figure class=\"chart\"><figcaption><h3>\(HTMLEscaping.escape(title))</h3><p>\(HTMLEscaping.escape(note))</p></figcaption>\(legend)\(body)</figure>"
    }

    static func empty(_ text: String) -> String {
        "<p class=\"empty\">\(HTMLEscaping.escape(text))</p>"
    }

    /// An HTML legend: a swatch per variant (its line style, a band or a filled box) and its key.
    static func legend(_ report: ReportModel, keys: [String], band: Bool = false, filled: Bool = false) -> String {
        var html = "<ul class=\"legend\">"
        for (fallback, key) in keys.enumerated() {
            let index = variantIndex(report, key) ?? fallback
            let colour = Palette.color(index)
            let swatch: String
            if filled {
                swatch =
                    "<svg class=\"swatch\" viewBox=\"0 0 28 12\" aria-hidden=\"true\"><rect x=\"0\" y=\"1\" width=\"28\" height=\"10\" fill=\"\(colour)\"/></svg>"
            } else {
                let bandRect = band ? "<rect x=\"0\" y=\"1\" width=\"28\" height=\"10\" fill=\"\(colour)\" opacity=\"0.18\"/>" : ""
                swatch =
                    "<svg class=\"swatch\" viewBox=\"0 0 28 12\" aria-hidden=\"true\">\(bandRect)<line x1=\"1\" x2=\"27\" y1=\"6\" y2=\"6\" stroke=\"\(colour)\" stroke-width=\"2.5\" stroke-dasharray=\"\(Palette.dash(index))\"/></svg>"
            }
            let control = report.variants.indices.contains(index) && report.variants[index].isControl ? " (control)" : ""
            html += "<li>\(swatch)\(HTMLEscaping.escape(key))\(control)</li>"
        }
        return html + "</ul>"
    }

    static func linePath(_ plot: SVGPlot, _ points: [(Double, Double)], report: ReportModel, key: String, fallback: Int) -> String {
        let index = variantIndex(report, key) ?? fallback
        let dash = Palette.dash(index)
        return
            "<path class=\"line\" stroke=\"\(Palette.color(index))\"\(dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"") d=\"\(plot.path(points))\"/>"
    }

    /// Variant keys at the right end of their lines, spread apart so they stay legible.
    static func endLabels(_ plot: SVGPlot, series: [(key: String, value: Double)], report: ReportModel) -> String {
        let positions = SVGPlot.spread(series.map { plot.y($0.value) }, gap: 12, within: plot.top...(plot.top + plot.plotHeight + 6))
        var svg = ""
        for (entry, position) in zip(series, positions) {
            let index = variantIndex(report, entry.key) ?? 0
            svg +=
                "<text class=\"end-label\" x=\"\(svgNumber(plot.left + plot.plotWidth + 5))\" y=\"\(svgNumber(position + 4))\" fill=\"\(Palette.color(index))\">\(HTMLEscaping.escape(entry.key))</text>"
        }
        return svg
    }

    static func color(_ report: ReportModel, _ key: String, _ fallback: Int) -> String {
        Palette.color(variantIndex(report, key) ?? fallback)
    }

    static func variantIndex(_ report: ReportModel, _ key: String) -> Int? {
        report.variants.firstIndex { $0.key == key }
    }

    static func allDays(_ series: [Charts.Series]) -> [Date] {
        Array(Set(series.flatMap { $0.points.map(\.day) })).sorted()
    }

    static func timeDomain(_ days: [Date]) -> ClosedRange<Double> {
        let first = days.first?.timeIntervalSince1970 ?? 0
        let last = days.last?.timeIntervalSince1970 ?? 0
        return last > first ? first...last : (first - 43_200)...(first + 43_200)
    }

    /// Step-shaped band coordinates so each day's share holds across that day.
    static func steps(_ xs: [Double], lower: [Double], upper: [Double]) -> (x: [Double], lower: [Double], upper: [Double]) {
        guard xs.count > 1 else { return (xs, lower, upper) }
        var x: [Double] = []
        var low: [Double] = []
        var high: [Double] = []
        for index in xs.indices {
            if index > 0 {
                x.append(xs[index])
                low.append(lower[index - 1])
                high.append(upper[index - 1])
            }
            x.append(xs[index])
            low.append(lower[index])
            high.append(upper[index])
        }
        return (x, low, high)
    }

    static func level(_ report: ReportModel) -> String { Format.percent(1 - report.alpha, digits: 0) }

    /// A percent label with as many decimals as the axis span needs.
    static func axisPercent(_ value: Double, span: ClosedRange<Double>) -> String {
        let width = (span.upperBound - span.lowerBound) * 100
        return Format.percent(value, digits: width < 0.5 ? 2 : (width < 5 ? 1 : 0))
    }
}
