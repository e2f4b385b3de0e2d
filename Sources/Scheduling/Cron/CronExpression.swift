import HeraldCore

/// A five-field cron expression: minute, hour, day of month, month, day of week.
///
/// Fields take numbers, names (`JAN`-`DEC`, `SUN`-`SAT`), `*`, ranges (`1-5`), steps
/// (`*/15`, `0-30/10`, `5/20`) and lists (`1,15,30`); day of week runs 0-7 with 0 and 7 both
/// Sunday. The macros `@yearly` (`@annually`), `@monthly`, `@weekly`, `@daily` (`@midnight`)
/// and `@hourly` stand for their usual expansions.
///
/// Day of month and day of week combine as in Vixie cron: when neither field starts with `*`,
/// a day matching either fires; otherwise both must match.
///
/// ```swift
/// let weekdays = try CronExpression(parsing: "0 9 * * MON-FRI")
/// ```
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    /// The allowed minutes, bit i set for minute i.
    public let minutes: UInt64
    /// The allowed hours, bit i for hour i.
    public let hours: UInt32
    /// The allowed days of month, bit i for day i (1-31).
    public let daysOfMonth: UInt32
    /// The allowed months, bit i for month i (1-12).
    public let months: UInt16
    /// The allowed days of week, bit i for weekday i (0 = Sunday ... 6 = Saturday).
    public let daysOfWeek: UInt8
    /// Whether the day-of-month field starts with `*`.
    public let dayOfMonthIsWildcard: Bool
    /// Whether the day-of-week field starts with `*`.
    public let dayOfWeekIsWildcard: Bool
    /// Whether the minute or hour field starts with `*`: such an expression follows real time
    /// across DST changes; any other is a fixed-time job.
    public let followsRealTime: Bool
    /// The text it was parsed from.
    public let source: String

    /// Parses an expression; the error names the field that is wrong and why.
    public init(parsing text: String) throws(ValidationError) {
        let trimmed = text.trimmingWhitespace()
        var expanded = trimmed
        if trimmed.hasPrefix("@") {
            switch trimmed.lowercased() {
            case "@yearly", "@annually": expanded = "0 0 1 1 *"
            case "@monthly": expanded = "0 0 1 * *"
            case "@weekly": expanded = "0 0 * * 0"
            case "@daily", "@midnight": expanded = "0 0 * * *"
            case "@hourly": expanded = "0 * * * *"
            default:
                throw ValidationError(
                    field: "cron",
                    reason: "\"\(trimmed)\" is not a known macro (@yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly)"
                )
            }
        }
        let fields = expanded.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw ValidationError(
                field: "cron",
                reason:
                    "\"\(trimmed)\" has \(fields.count) field\(fields.count == 1 ? "" : "s"); expected 5 (minute hour day-of-month month day-of-week) or a macro like @daily"
            )
        }
        minutes = try Self.parseField(fields[0], .minute)
        hours = UInt32(try Self.parseField(fields[1], .hour))
        daysOfMonth = UInt32(try Self.parseField(fields[2], .dayOfMonth))
        months = UInt16(try Self.parseField(fields[3], .month))
        var weekdays = try Self.parseField(fields[4], .dayOfWeek)
        if weekdays & (1 << 7) != 0 { weekdays = (weekdays | 1) & ~(1 << 7) }  // 7 is Sunday too
        daysOfWeek = UInt8(weekdays)
        dayOfMonthIsWildcard = fields[2].hasPrefix("*")
        dayOfWeekIsWildcard = fields[4].hasPrefix("*")
        followsRealTime = fields[0].hasPrefix("*") || fields[1].hasPrefix("*")
        source = trimmed
        if dayOfWeekIsWildcard {
            // Only day of month restricts the day: it must occur in some allowed month.
            let longest: [Int] = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
            let possible = (1...12).contains { month in
                months & (1 << month) != 0 && (1...longest[month]).contains { daysOfMonth & (1 << $0) != 0 }
            }
            guard possible else {
                throw ValidationError(field: "day-of-month", reason: "\"\(fields[2])\" never occurs in the months \"\(fields[3])\"")
            }
        }
    }

    public var description: String { source }

    /// Whether a local calendar day matches the day-of-month, month and day-of-week fields.
    ///
    /// - Parameters:
    ///   - day: Day of month, 1-31.
    ///   - month: 1-12.
    ///   - weekday: 0 = Sunday ... 6 = Saturday.
    public func matchesDay(day: Int, month: Int, weekday: Int) -> Bool {
        guard months & (1 << month) != 0 else { return false }
        let domMatch = daysOfMonth & (1 << day) != 0
        let dowMatch = daysOfWeek & (1 << weekday) != 0
        if dayOfMonthIsWildcard || dayOfWeekIsWildcard { return domMatch && dowMatch }
        return domMatch || dowMatch
    }

    /// Whether an hour and minute match.
    public func matchesTime(hour: Int, minute: Int) -> Bool {
        hours & (1 << hour) != 0 && minutes & (1 << minute) != 0
    }

    // MARK: - Parsing

    enum Field: String {
        case minute, hour
        case dayOfMonth = "day-of-month"
        case month
        case dayOfWeek = "day-of-week"

        var range: ClosedRange<Int> {
            switch self {
            case .minute: return 0...59
            case .hour: return 0...23
            case .dayOfMonth: return 1...31
            case .month: return 1...12
            case .dayOfWeek: return 0...7
            }
        }

        var names: [String: Int] {
            switch self {
            case .month:
                return ["JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12]
            case .dayOfWeek:
                return ["SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6]
            default:
                return [:]
            }
        }
    }

    static func parseField(_ text: String, _ field: Field) throws(ValidationError) -> UInt64 {
        func fail(_ reason: String) -> ValidationError {
            ValidationError(field: field.rawValue, reason: "\"\(text)\": \(reason)")
        }
        guard !text.isEmpty else { throw fail("is empty") }
        var bits: UInt64 = 0
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !part.isEmpty else { throw fail("has an empty list item") }
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2 else { throw fail("has more than one '/' in \"\(part)\"") }
            var step = 1
            if pieces.count == 2 {
                guard let parsed = Int(pieces[1]), parsed > 0 else { throw fail("step \"\(pieces[1])\" must be a positive whole number") }
                guard parsed <= field.range.upperBound else {
                    throw fail("step \(parsed) is larger than the field's range \(field.range.lowerBound)-\(field.range.upperBound)")
                }
                step = parsed
            }
            let base = pieces[0]
            var low: Int
            var high: Int
            if base == "*" {
                low = field.range.lowerBound
                high = field.range.upperBound
                if field == .dayOfWeek { high = 6 }
            } else {
                let bounds = base.split(separator: "-", omittingEmptySubsequences: false)
                guard bounds.count <= 2, !bounds.contains(where: \.isEmpty) else { throw fail("\"\(base)\" is not a value or a range a-b") }
                low = try value(String(bounds[0]), field, fail)
                high = bounds.count == 2 ? try value(String(bounds[1]), field, fail) : (pieces.count == 2 ? field.range.upperBound : low)
                if bounds.count == 1, pieces.count == 2, field == .dayOfWeek { high = 6 }
                guard low <= high else { throw fail("range \(low)-\(high) runs backwards") }
            }
            for number in stride(from: low, through: high, by: step) { bits |= 1 << UInt64(number) }
        }
        return bits
    }

    private static func value(_ text: String, _ field: Field, _ fail: (String) -> ValidationError) throws(ValidationError) -> Int {
        if let number = Int(text) {
            guard field.range.contains(number) else {
                throw fail("\(number) is out of range \(field.range.lowerBound)-\(field.range.upperBound)")
            }
            return number
        }
        if let named = field.names[text.uppercased()] { return named }
        if field.names.isEmpty {
            throw fail("\"\(text)\" is not a number")
        }
        throw fail("\"\(text)\" is not a number or one of \(field.names.sorted { $0.value < $1.value }.map(\.key).joined(separator: ", "))")
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
