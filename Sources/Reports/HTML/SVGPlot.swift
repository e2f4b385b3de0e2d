import Foundation
import HeraldCore

/// The frame of one SVG chart: its size, margins, scales and the drawing of axes.
///
/// All coordinates are SVG user units in a `viewBox` of `width` × `height`; the SVG scales to
/// the width of its container, so one drawing serves a laptop, a phone and paper.
struct SVGPlot {
    var width = 460.0
    var height = 250.0
    var left = 52.0
    var right = 40.0
    var top = 14.0
    var bottom = 34.0
    /// The data range shown on each axis.
    var xDomain: ClosedRange<Double> = 0...1
    var yDomain: ClosedRange<Double> = 0...1

    var plotWidth: Double { width - left - right }
    var plotHeight: Double { height - top - bottom }

    func x(_ value: Double) -> Double {
        let span = xDomain.upperBound - xDomain.lowerBound
        return left + (span > 0 ? (value - xDomain.lowerBound) / span : 0.5) * plotWidth
    }

    func y(_ value: Double) -> Double {
        let span = yDomain.upperBound - yDomain.lowerBound
        return top + plotHeight - (span > 0 ? (value - yDomain.lowerBound) / span : 0.5) * plotHeight
    }

    /// The opening `<svg>` tag: an image with a title for screen readers.
    func open(chart: String, title: String) -> String {
        "<svg class=\"chart-svg\" data-chart=\"\(chart)\" viewBox=\"0 0 \(svgNumber(width)) \(svgNumber(height))\" role=\"img\" "
            + "xmlns=\"http://www.w3.org/2000/svg\" preserveAspectRatio=\"xMidYMid meet\"><title>\(HTMLEscaping.escape(title))</title>"
    }

    /// A clip path for the plot area (so wide intervals do not spill over the axes).
    func clip(id: String) -> String {
        "<clipPath id=\"\(id)\"><rect x=\"\(svgNumber(left))\" y=\"\(svgNumber(top))\" width=\"\(svgNumber(plotWidth))\" height=\"\(svgNumber(plotHeight))\"/></clipPath>"
    }

    /// Horizontal grid lines and labels at `ticks` on the y axis, and the axis title rotated at the left.
    func yAxis(ticks: [Double], label: (Double) -> String, title: String) -> String {
        var svg = "<g class=\"axis y\">"
        for tick in ticks {
            let position = y(tick)
            svg +=
                "<line class=\"grid\" x1=\"\(svgNumber(left))\" x2=\"\(svgNumber(left + plotWidth))\" y1=\"\(svgNumber(position))\" y2=\"\(svgNumber(position))\"/>"
            svg +=
                "<text x=\"\(svgNumber(left - 6))\" y=\"\(svgNumber(position + 4))\" text-anchor=\"end\">\(HTMLEscaping.escape(label(tick)))</text>"
        }
        let middle = top + plotHeight / 2
        svg +=
            "<text class=\"axis-title\" transform=\"translate(12 \(svgNumber(middle))) rotate(-90)\" text-anchor=\"middle\">\(HTMLEscaping.escape(title))</text>"
        return svg + "</g>"
    }

    /// The x axis line, tick labels at `ticks` and its title under them.
    func xAxis(ticks: [(value: Double, label: String)], title: String) -> String {
        let base = top + plotHeight
        var svg =
            "<g class=\"axis x\"><line class=\"domain\" x1=\"\(svgNumber(left))\" x2=\"\(svgNumber(left + plotWidth))\" y1=\"\(svgNumber(base))\" y2=\"\(svgNumber(base))\"/>"
        for tick in ticks {
            let position = x(tick.value)
            svg +=
                "<line class=\"tick\" x1=\"\(svgNumber(position))\" x2=\"\(svgNumber(position))\" y1=\"\(svgNumber(base))\" y2=\"\(svgNumber(base + 4))\"/>"
            svg += "<text x=\"\(svgNumber(position))\" y=\"\(svgNumber(base + 16))\" text-anchor=\"middle\">\(HTMLEscaping.escape(tick.label))</text>"
        }
        if !title.isEmpty {
            svg +=
                "<text class=\"axis-title\" x=\"\(svgNumber(left + plotWidth / 2))\" y=\"\(svgNumber(height - 3))\" text-anchor=\"middle\">\(HTMLEscaping.escape(title))</text>"
        }
        return svg + "</g>"
    }

    /// A polyline path through `points` (already in data units).
    func path(_ points: [(Double, Double)]) -> String {
        points.enumerated().map { index, point in (index == 0 ? "M" : "L") + "\(svgNumber(x(point.0))),\(svgNumber(y(point.1)))" }.joined()
    }

    /// A closed band between `upper` and `lower` (same x values).
    func band(x values: [Double], lower: [Double], upper: [Double]) -> String {
        guard !values.isEmpty else { return "" }
        let top = zip(values, upper).map { (index: $0, value: $1) }
        let bottom = zip(values, lower).reversed().map { ($0, $1) }
        return path(top.map { ($0.index, $0.value) } + bottom) + "Z"
    }

    /// Day ticks: at most `count` labelled days, evenly spaced, always including the first.
    static func dayTicks(_ days: [Date], count: Int = 6) -> [(value: Double, label: String)] {
        guard !days.isEmpty else { return [] }
        let step = max(1, Int((Double(days.count) / Double(count)).rounded(.up)))
        return stride(from: 0, to: days.count, by: step).map { (days[$0].timeIntervalSince1970, Format.shortDay(days[$0])) }
    }

    /// About `count` round tick values covering `range` (steps of 1, 2, 2.5 or 5 times a power of ten).
    static func ticks(_ range: ClosedRange<Double>, count: Int = 5) -> [Double] {
        let span = range.upperBound - range.lowerBound
        guard span > 0, span.isFinite else { return [range.lowerBound] }
        let raw = span / Double(max(count, 1))
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let step = [1.0, 2.0, 2.5, 5.0, 10.0].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        let first = (range.lowerBound / step).rounded(.up) * step
        return stride(from: first, through: range.upperBound + step * 1e-9, by: step).map { abs($0) < step * 1e-9 ? 0 : $0 }
    }

    /// `range` widened to the enclosing round ticks, so the lines do not touch the frame.
    static func niceDomain(_ range: ClosedRange<Double>, count: Int = 5) -> ClosedRange<Double> {
        let span = range.upperBound - range.lowerBound
        guard span > 0, span.isFinite else {
            let pad = max(abs(range.lowerBound) * 0.1, 0.001)
            return (range.lowerBound - pad)...(range.upperBound + pad)
        }
        let raw = span / Double(count)
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let step = [1.0, 2.0, 2.5, 5.0, 10.0].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        return ((range.lowerBound / step).rounded(.down) * step)...((range.upperBound / step).rounded(.up) * step)
    }

    /// Spreads end-of-line labels apart vertically so none overlap (at least `gap` units apart).
    static func spread(_ positions: [Double], gap: Double, within range: ClosedRange<Double>) -> [Double] {
        let order = positions.indices.sorted { positions[$0] < positions[$1] }
        var placed = positions
        var previous = -Double.infinity
        for index in order {
            placed[index] = max(positions[index], previous + gap)
            previous = placed[index]
        }
        // Shift back up if the last label left the range.
        if let last = order.last, placed[last] > range.upperBound {
            var next = range.upperBound
            for index in order.reversed() {
                placed[index] = min(placed[index], next)
                next = placed[index] - gap
            }
        }
        return placed
    }
}

/// A number for SVG coordinates: at most two decimals, no exponent.
func svgNumber(_ value: Double) -> String {
    guard value.isFinite else { return "0" }
    let rounded = (value * 100).rounded() / 100
    return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.2f", rounded)
}
