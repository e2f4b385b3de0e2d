import Foundation
import HeraldCore

/// The `Date:` header's form (RFC 5322 §3.3) in UTC: `Tue, 01 Dec 2026 06:41:26 +0000`.
///
/// Computed with ``CivilDay``'s calendar arithmetic, not a `DateFormatter`: no locale, and
/// cheap enough for every message of a large send.
public enum RFC5322Date {
    static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The header value for `date`, to the second.
    public static func format(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let civil = CivilDay(index: floorDivide(seconds, 86_400))
        let second = seconds - civil.index * 86_400
        let (year, month, day) = civil.components
        let weekday = civil.weekday
        return
            "\(weekdays[weekday]), \(two(day)) \(months[month - 1]) \(year) \(two(second / 3_600)):\(two(second / 60 % 60)):\(two(second % 60)) +0000"
    }

    static func two(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
