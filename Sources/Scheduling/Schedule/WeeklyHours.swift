import Foundation

/// Posting hours of the week (0 = Monday 00:00 … 167 = Sunday 23:00, in a schedule's time zone) read from a cron
/// rule, and written as the fewest cron expressions this grouping finds.
///
/// ```swift
/// WeeklyHours.rule(hours: [9, 33, 43], minute: 30)   // "30 9 * * MON,TUE; 30 19 * * TUE"
/// ```
public enum WeeklyHours {
    /// The three-letter cron names of the days, Monday first (day 0 of the week here).
    static let dayNames = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]

    /// The hours of the week a weekly cron rule fires in, and the one minute of the hour it fires at.
    ///
    /// A rule is weekly when each expression of it names every month and every day of the month (so only the day of
    /// the week picks days) and all its expressions fire at the same single minute; nil for any other rule (`once`,
    /// `every`, days of the month, several minutes).
    public static func hours(of schedule: Schedule) -> (hours: [Int], minute: Int)? {
        let expressions: [CronExpression]
        switch schedule.rule {
        case .cron(let expression): expressions = [expression]
        case .cronList(let list): expressions = list
        case .once, .every: return nil
        }
        var minute: Int?
        var hours = Set<Int>()
        let allMonths: UInt16 = 0b1_1111_1111_1110
        let allDays: UInt32 = 0xFFFF_FFFE
        for expression in expressions {
            guard expression.minutes.nonzeroBitCount == 1, expression.months == allMonths, expression.daysOfMonth == allDays else {
                return nil
            }
            let only = expression.minutes.trailingZeroBitCount
            guard minute == nil || minute == only else { return nil }
            minute = only
            // The day of the week alone picks the days unless both day fields are restricted: then a day matching
            // either fires, and since the day of month names every day, every day does.
            let byWeekday = expression.dayOfMonthIsWildcard || expression.dayOfWeekIsWildcard
            // Cron's weekday: 0 = Sunday; day 0 here is Monday.
            for day in 0..<7 where !byWeekday || expression.daysOfWeek & (1 << ((day + 1) % 7)) != 0 {
                for hour in 0..<24 where expression.hours & (1 << hour) != 0 { hours.insert(day * 24 + hour) }
            }
        }
        guard let minute, !hours.isEmpty else { return nil }
        return (hours.sorted(), minute)
    }

    /// The cron rule (one expression, or several separated by `; `) that fires at `minute` past exactly `hours` of the
    /// week, every week: each expression is a set of hours on a set of days, and every hour of the week is in exactly
    /// one expression. Days with the same hours share an expression, or hours on the same days do, whichever needs
    /// fewer expressions.
    ///
    /// - Precondition: `hours` is not empty, each in 0..<168; `minute` in 0..<60.
    /// - Complexity: O(h) for h hours.
    public static func rule(hours: [Int], minute: Int) -> String {
        precondition(!hours.isEmpty && hours.allSatisfy { (0..<168).contains($0) } && (0..<60).contains(minute))
        let wanted = Set(hours)
        // By day: days with the same set of hours.
        var hoursOfDay: [Int: [Int]] = [:]
        for hour in wanted.sorted() { hoursOfDay[hour / 24, default: []].append(hour % 24) }
        var daysByHours: [[Int]: [Int]] = [:]
        for (day, clock) in hoursOfDay { daysByHours[clock, default: []].append(day) }
        let byDay = daysByHours.map { (clock: $0.key, days: $0.value.sorted()) }
        // By hour: hours of the day on the same set of days.
        var daysOfHour: [Int: [Int]] = [:]
        for hour in wanted.sorted() { daysOfHour[hour % 24, default: []].append(hour / 24) }
        var hoursByDays: [[Int]: [Int]] = [:]
        for (clock, days) in daysOfHour { hoursByDays[days, default: []].append(clock) }
        let byHour = hoursByDays.map { (clock: $0.value.sorted(), days: $0.key) }
        let groups = byHour.count < byDay.count ? byHour : byDay
        return groups.sorted { ($0.days[0] * 24 + $0.clock[0]) < ($1.days[0] * 24 + $1.clock[0]) }
            .map { group in
                let days = group.days.count == 7 ? "*" : group.days.map { dayNames[$0] }.joined(separator: ",")
                return "\(minute) \(group.clock.map(String.init).joined(separator: ",")) * * \(days)"
            }
            .joined(separator: "; ")
    }
}
