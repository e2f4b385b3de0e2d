import Foundation
import Synchronization

/// Dates as pages write and read them, through one cache of formatters (one per pattern, zone and locale): a page
/// with a thousand rows formats a thousand dates, and making a formatter costs far more than using one.
enum PageDates {
    /// ISO 8601 with the zone's offset, for `<time datetime>`: `2026-12-01T09:00:00+01:00` (`Z` in UTC).
    static func iso(_ date: Date, in zone: TimeZone) -> String {
        format(date, "yyyy-MM-dd'T'HH:mm:ssXXXXX", in: zone, locale: posix)
    }

    /// A date people read, in `zone`, with its offset: `Tue 1 Dec 2026, 09:00 (+01:00)`.
    static func readable(_ date: Date, in zone: TimeZone) -> String {
        format(date, "EEE d MMM yyyy, HH:mm '('xxx')'", in: zone)
    }

    /// An instant as a `datetime-local` form value in `zone`: `2026-12-01T09:00`.
    static func local(_ date: Date, in zone: TimeZone) -> String {
        format(date, "yyyy-MM-dd'T'HH:mm", in: zone, locale: posix)
    }

    /// A calendar day in `zone`, as the calendar's links and keys write it: `2026-12-01`.
    static func day(_ date: Date, in zone: TimeZone) -> String {
        format(date, "yyyy-MM-dd", in: zone, locale: posix)
    }

    /// A day written as ``day(_:in:)`` writes it, at its start in `zone`; nil when it is not one.
    static func parseDay(_ text: String, in zone: TimeZone) -> Date? {
        formatters.withLock { $0.formatter("yyyy-MM-dd", zone, posix).date(from: text) }
    }

    /// A `datetime-local` form value (or a date alone) read in `zone`; nil when it is none of those forms.
    static func parseLocal(_ text: String, in zone: TimeZone) -> Date? {
        for pattern in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd"] {
            if let date = formatters.withLock({ $0.formatter(pattern, zone, posix).date(from: text) }) { return date }
        }
        return nil
    }

    /// `date` in `zone` with a `DateFormatter` pattern (English day and month names unless `locale` says otherwise).
    static func format(_ date: Date, _ pattern: String, in zone: TimeZone, locale: String = english) -> String {
        formatters.withLock { $0.formatter(pattern, zone, locale).string(from: date) }
    }

    static let english = "en_GB"
    static let posix = "en_US_POSIX"

    /// Formatters are not safe to share between threads: each is used under the cache's lock.
    private static let formatters = Mutex(Cache())

    private struct Cache {
        struct Key: Hashable {
            var pattern: String
            var zone: String
            var locale: String
        }
        var byKey: [Key: DateFormatter] = [:]

        mutating func formatter(_ pattern: String, _ zone: TimeZone, _ locale: String) -> DateFormatter {
            let key = Key(pattern: pattern, zone: zone.identifier, locale: locale)
            if let formatter = byKey[key] { return formatter }
            // Bounded: a page's zones come from a cookie, so a client cannot grow this without end.
            if byKey.count >= 512 { byKey.removeAll() }
            let formatter = DateFormatter()
            formatter.calendar = Calendar(identifier: .gregorian)
            formatter.locale = Locale(identifier: locale)
            formatter.timeZone = zone
            formatter.dateFormat = pattern
            byKey[key] = formatter
            return formatter
        }
    }
}
