import Foundation

extension Format {
    /// An amount in the campaign's (unnamed) currency: "1,234.50" at 2 digits, "-0.0123" at 4.
    static func money(_ value: Double, digits: Int = 2) -> String {
        let text = String(format: "%.\(digits)f", abs(value))
        let parts = text.split(separator: ".", maxSplits: 1)
        let whole = grouped(Int(parts[0]) ?? 0)
        let sign = value < 0 && text.contains(where: { $0 != "0" && $0 != "." }) ? "-" : ""
        return sign + whole + (parts.count > 1 ? "." + parts[1] : "")
    }

    /// A difference in amount with its sign: "+0.0123", "-0.0040".
    static func signedMoney(_ value: Double, digits: Int = 2) -> String {
        let text = money(value, digits: digits)
        return text.hasPrefix("-") ? text : "+" + text
    }

    /// An hour of the week (0 = Monday 00:00): "Tuesday 09:00".
    static func hourOfWeek(_ hour: Int) -> String {
        let days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
        return "\(days[(hour / 24) % 7]) " + String(format: "%02d:00", hour % 24)
    }
}
