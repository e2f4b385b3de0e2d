/// Colours and line styles of variants in charts: the Okabe–Ito palette, safe for the common
/// forms of colour blindness, with a dash pattern per variant so lines also differ in greyscale print.
enum Palette {
    /// Okabe & Ito (2008), "Color Universal Design", in an order that keeps neighbours distinct.
    static let colors = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000", "#F0E442"]
    static let dashes = ["", "7 4", "2 3", "9 3 2 3", "4 2", "12 4", "1 2", "6 2 2 2"]

    /// The colour of the variant at `index`.
    static func color(_ index: Int) -> String { colors[index % colors.count] }

    /// The SVG dash pattern of the variant at `index` ("" for solid).
    static func dash(_ index: Int) -> String { dashes[index % dashes.count] }

    /// The viridis colour map at `t` in 0…1 (perceptually uniform, colour-blind safe), by linear
    /// interpolation between ten stops of matplotlib's table.
    static func viridis(_ t: Double) -> String {
        let stops: [(Double, Double, Double)] = [
            (68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142),
            (31, 158, 137), (53, 183, 121), (109, 205, 89), (180, 222, 44), (253, 231, 37),
        ]
        let clamped = min(max(t.isFinite ? t : 0, 0), 1) * Double(stops.count - 1)
        let index = min(Int(clamped), stops.count - 2)
        let fraction = clamped - Double(index)
        let (a, b) = (stops[index], stops[index + 1])
        func channel(_ x: Double, _ y: Double) -> Int { Int((x + (y - x) * fraction).rounded()) }
        return "rgb(\(channel(a.0, b.0)),\(channel(a.1, b.1)),\(channel(a.2, b.2)))"
    }
}
