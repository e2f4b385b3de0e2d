import Foundation
import HeraldCore

/// When something recurs: once, every fixed interval, or on a cron expression in a time zone,
/// optionally only within an active window.
public struct Schedule: Sendable, Hashable {
    /// The recurrence rule.
    public enum Rule: Sendable, Hashable {
        /// A single fire at this instant.
        case once(Date)
        /// Every `seconds` seconds, counted from `anchor`.
        case every(seconds: Int, anchor: Date)
        /// Cron in the schedule's time zone.
        case cron(CronExpression)
        /// Several cron expressions in the schedule's time zone: a fire at every instant any of them fires (once when
        /// two fire at the same instant). For sets of times one expression cannot hold, such as posting hours that
        /// differ from day to day (see ``WeeklyHours``).
        case cronList([CronExpression])
    }

    public var rule: Rule
    /// The IANA zone cron expressions are read in.
    public var timeZone: TimeZone
    /// No fire before this instant.
    public var activeFrom: Date?
    /// No fire after this instant.
    public var activeUntil: Date?

    public init(rule: Rule, timeZone: TimeZone = TimeZone(identifier: "UTC")!, activeFrom: Date? = nil, activeUntil: Date? = nil) {
        self.rule = rule
        self.timeZone = timeZone
        self.activeFrom = activeFrom
        self.activeUntil = activeUntil
    }

    /// Parses the textual form stored in the database and accepted by the CLI:
    /// `once:2026-03-01T09:00:00Z`, `every:15m` (s, m, h or d), a cron expression, or cron expressions separated by
    /// `;` (`0 9 * * MON,WED; 0 19 * * FRI`), which fire at every time any of them names.
    ///
    /// - Parameters:
    ///   - text: The rule.
    ///   - timeZone: An IANA zone name.
    ///   - anchor: Where `every` intervals are counted from.
    public init(parsing text: String, timeZone zone: String = "UTC", anchor: Date = Date(timeIntervalSince1970: 0)) throws(ValidationError) {
        guard let timeZone = TimeZone(identifier: zone) else {
            throw ValidationError(field: "tz", reason: "\"\(zone)\" is not an IANA time zone (e.g. Europe/Berlin)")
        }
        if text.hasPrefix("once:") {
            self.init(rule: .once(try Timestamp.parse(text.dropFirst(5))), timeZone: timeZone)
        } else if text.hasPrefix("every:") {
            let amount = text.dropFirst(6)
            let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
            guard let unit = amount.last, let scale = units[unit], let count = Int(amount.dropLast()), count > 0 else {
                throw ValidationError(field: "schedule", reason: "\"\(text)\": an interval is every:<number><s|m|h|d>, e.g. every:15m")
            }
            self.init(rule: .every(seconds: count * scale, anchor: anchor), timeZone: timeZone)
        } else if text.contains(";") {
            let parts = text.split(separator: ";", omittingEmptySubsequences: false).map { String($0) }
            var expressions: [CronExpression] = []
            for (index, part) in parts.enumerated() {
                guard part.contains(where: { !$0.isWhitespace }) else {
                    throw ValidationError(field: "cron", reason: "\"\(text)\": expression \(index + 1) of the list is empty")
                }
                expressions.append(try CronExpression(parsing: part))
            }
            self.init(rule: .cronList(expressions), timeZone: timeZone)
        } else {
            self.init(rule: .cron(try CronExpression(parsing: text)), timeZone: timeZone)
        }
    }

    /// The stored textual form of the rule (see ``init(parsing:timeZone:anchor:)``).
    public var ruleText: String {
        switch rule {
        case .once(let date): return "once:\(Timestamp.format(date))"
        case .every(let seconds, _):
            if seconds % 86_400 == 0 { return "every:\(seconds / 86_400)d" }
            if seconds % 3600 == 0 { return "every:\(seconds / 3600)h" }
            if seconds % 60 == 0 { return "every:\(seconds / 60)m" }
            return "every:\(seconds)s"
        case .cron(let expression): return expression.source
        case .cronList(let expressions): return expressions.map(\.source).joined(separator: "; ")
        }
    }

    /// The first fire strictly after `instant` inside the active window, or nil when there is none.
    public func nextFire(after instant: Date) -> Date? {
        var from = instant
        if let activeFrom, from < activeFrom { from = activeFrom.addingTimeInterval(-0.001) }
        let candidate: Date?
        switch rule {
        case .once(let date):
            candidate = date > from ? date : nil
        case .every(let seconds, let anchor):
            let elapsed = from.timeIntervalSince(anchor)
            let steps = elapsed < 0 ? 0 : (elapsed / Double(seconds)).rounded(.down) + 1
            candidate = anchor.addingTimeInterval(steps * Double(seconds))
        case .cron(let expression):
            candidate = expression.nextFire(after: from, in: timeZone)
        case .cronList(let expressions):
            candidate = expressions.compactMap { $0.nextFire(after: from, in: timeZone) }.min()
        }
        guard let candidate else { return nil }
        if let activeUntil, candidate > activeUntil { return nil }
        return candidate
    }

    /// Every fire in (after, through], oldest first, at most `limit`.
    public func fires(after start: Date, through end: Date, limit: Int = 10_000) -> [Date] {
        var fires: [Date] = []
        var cursor = start
        while fires.count < limit, let next = nextFire(after: cursor), next <= end {
            fires.append(next)
            cursor = next
        }
        return fires
    }
}

/// What the scheduler does with fires that were due while it was down.
public enum MissedFirePolicy: String, Sendable, Codable, CaseIterable {
    /// Drop missed fires; run only those due from now on.
    case skip
    /// Run the most recent missed fire once, never a burst.
    case fireOnce = "fire_once"

    /// Which of `due` fires (oldest first) to run, given that fires older than `now − grace` were missed.
    public func select(_ due: [Date], now: Date, grace: TimeInterval) -> [Date] {
        let cutoff = now.addingTimeInterval(-grace)
        let onTime = due.filter { $0 >= cutoff }
        let missed = due.filter { $0 < cutoff }
        switch self {
        case .skip: return onTime
        case .fireOnce: return onTime.isEmpty ? Array(missed.suffix(1)) : onTime
        }
    }
}
