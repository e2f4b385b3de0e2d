import Foundation

/// Fast, strict ISO 8601 timestamps with an explicit offset, as events carry them.
///
/// Accepts `2026-03-01T09:30:00Z`, `2026-03-01T09:30:00.123+01:00`, `2026-03-01 09:30:00+0100`.
/// A time without `Z` or an offset is refused: it would be ambiguous.
///
/// - Complexity: O(n) in the length of the text, no allocation.
public enum Timestamp {
    /// Parses `text`, or says what is wrong with it.
    public static func parse(_ text: some StringProtocol) throws(ValidationError) -> Date {
        var utf8 = Array(text.utf8)
        return try utf8.withUnsafeMutableBufferPointer { buffer throws(ValidationError) in
            try parse(utf8: UnsafeBufferPointer(buffer), original: String(text))
        }
    }

    /// Parses UTF-8 bytes; the hot path of CSV and API ingest.
    public static func parse(utf8 bytes: UnsafeBufferPointer<UInt8>, original: @autoclosure () -> String) throws(ValidationError) -> Date {
        var index = 0
        func fail(_ why: String) -> ValidationError {
            ValidationError(field: "occurred_at", reason: "\"\(original())\" is not an ISO 8601 time with offset (\(why)); e.g. 2026-03-01T09:30:00Z")
        }
        func digits(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for offset in 0..<count {
                let byte = bytes[index + offset]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            index += count
            return value
        }
        func expect(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }
        guard let year = digits(4), expect(UInt8(ascii: "-")), let month = digits(2), expect(UInt8(ascii: "-")),
            let day = digits(2)
        else { throw fail("date must be YYYY-MM-DD") }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "T") || bytes[index] == UInt8(ascii: "t") || bytes[index] == UInt8(ascii: " ")
        else { throw fail("a time must follow the date") }
        index += 1
        guard let hour = digits(2), expect(UInt8(ascii: ":")), let minute = digits(2) else { throw fail("time must be HH:MM:SS") }
        var second = 0
        var fraction = 0.0
        if expect(UInt8(ascii: ":")) {
            guard let parsed = digits(2) else { throw fail("seconds must be two digits") }
            second = parsed
            if expect(UInt8(ascii: ".")) || expect(UInt8(ascii: ",")) {
                var scale = 0.1
                let start = index
                while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                    fraction += Double(bytes[index] - 48) * scale
                    scale /= 10
                    index += 1
                }
                guard index > start else { throw fail("fraction of a second needs digits") }
            }
        }
        guard (1...12).contains(month) else { throw fail("month \(month) is out of range") }
        guard day >= 1, day <= daysInMonth(year: year, month: month) else { throw fail("day \(day) is not in \(year)-\(month)") }
        guard hour <= 23, minute <= 59, second <= 60 else { throw fail("time of day is out of range") }
        guard index < bytes.count else { throw fail("needs Z or an offset like +01:00") }
        var offsetSeconds = 0
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            guard let offsetHours = digits(2) else { throw fail("offset must be +HH:MM") }
            _ = expect(UInt8(ascii: ":"))
            let offsetMinutes = digits(2) ?? 0
            guard offsetHours <= 23, offsetMinutes <= 59 else { throw fail("offset is out of range") }
            offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60)
        default:
            throw fail("needs Z or an offset like +01:00")
        }
        guard index == bytes.count else { throw fail("unexpected text after the offset") }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    /// Formats a date as `2026-03-01T09:30:00.123Z` (milliseconds only when present).
    public static func format(_ date: Date) -> String {
        let total = date.timeIntervalSince1970
        let whole = Int(total.rounded(.down))
        let millis = Int(((total - Double(whole)) * 1000).rounded())
        let days = Int((Double(whole) / 86_400).rounded(.down))
        let secondsOfDay = whole - days * 86_400
        let (year, month, day) = civilFromDays(days)
        let base = String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d",
            year,
            month,
            day,
            secondsOfDay / 3600,
            secondsOfDay / 60 % 60,
            secondsOfDay % 60
        )
        return millis == 0 || millis == 1000 ? base + "Z" : base + String(format: ".%03dZ", millis)
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        CivilDay(year: year, month: month, day: day).index
    }

    static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let parts = CivilDay(index: days).components
        return (parts.year, parts.month, parts.day)
    }
}
