import Foundation

/// Dates as pages write them: ISO 8601 for `<time datetime>`, and a form people read.
enum PageDates {
    /// ISO 8601 with the zone's offset, for `<time datetime>`.
    static func iso(_ date: Date, in zone: TimeZone) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = zone
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// A date people read, in `zone`, with its offset: `Tue 1 Dec 2026, 09:00 (+01:00)`.
    static func readable(_ date: Date, in zone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = zone
        formatter.dateFormat = "EEE d MMM yyyy, HH:mm '('xxx')'"
        return formatter.string(from: date)
    }
}
