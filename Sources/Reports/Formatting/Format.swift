import Foundation

/// Number and list formatting shared by the renderers, independent of the machine's locale.
enum Format {
    /// "4.20%" for 0.042.
    static func percent(_ value: Double, digits: Int = 2) -> String {
        String(format: "%.\(digits)f%%", value * 100)
    }

    /// A probability as a percentage that never rounds to a certainty it is not: ">99%" for
    /// 0.997 and "<1%" for 0.002 at `digits` 0; exact 0 and 1 print as "0%" and "100%".
    static func chance(_ value: Double, digits: Int = 0) -> String {
        let step = pow(10, -Double(digits))
        let shown = (value * 100 / step).rounded() * step
        if value < 1, shown >= 100 { return ">" + String(format: "%.\(digits)f%%", 100 - step) }
        if value > 0, shown <= 0 { return "<" + String(format: "%.\(digits)f%%", step) }
        return String(format: "%.\(digits)f%%", value * 100)
    }

    /// "+12.0%" or "−3.4%" for a relative change.
    static func signedPercent(_ value: Double, digits: Int = 1) -> String {
        (value >= 0 ? "+" : "") + String(format: "%.\(digits)f%%", value * 100)
    }

    /// "12,345".
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (index, character) in digits.reversed().enumerated() {
            if index > 0 && index % 3 == 0 { result.append(",") }
            result.append(character)
        }
        return (value < 0 ? "-" : "") + String(result.reversed())
    }

    /// "A", "A and B", "A, B and C".
    static func list(_ items: [String]) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " and " + items.last!
    }

    /// A UTC calendar day, "2026-03-01".
    static func day(_ date: Date) -> String {
        let components = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", components.year ?? 0, components.month ?? 0, components.day ?? 0)
    }

    /// A short UTC day for axis labels, "Mar 1".
    static func shortDay(_ date: Date) -> String {
        let components = calendar.dateComponents([.month, .day], from: date)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return "\(months[((components.month ?? 1) - 1) % 12]) \(components.day ?? 1)"
    }

    /// "2026-03-03 09:30 UTC".
    static func minute(_ date: Date) -> String {
        let components = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(
            format: "%04d-%02d-%02d %02d:%02d UTC",
            components.year ?? 0,
            components.month ?? 0,
            components.day ?? 0,
            components.hour ?? 0,
            components.minute ?? 0
        )
    }

    /// A Gregorian calendar in UTC (a value, not the machine's settings).
    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
