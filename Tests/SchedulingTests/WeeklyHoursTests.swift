import Foundation
import HeraldCore
import Testing

@testable import Scheduling

/// Posting hours of the week written as cron rules (one expression or a `;` list) and read back, and a list's fires
/// across daylight-saving changes in Europe/Berlin (clocks back at 03:00 on 25 October 2026).
struct WeeklyHoursTests {
    /// The local hour of the week (0 = Monday 00:00) and minute of `instant` in `zone`.
    static func hourOfWeek(_ instant: Date, _ zone: TimeZone) -> (hour: Int, minute: Int) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.weekday, .hour, .minute], from: instant)
        // Calendar's weekday: 1 = Sunday.
        return (((parts.weekday! + 5) % 7) * 24 + parts.hour!, parts.minute!)
    }

    @Test func aWeeklyRuleReadsAsItsHoursAndMinute() throws {
        let weekdays = try Schedule(parsing: "30 9 * * MON-FRI", timeZone: "Europe/Berlin")
        #expect(WeeklyHours.hours(of: weekdays)?.hours == [9, 33, 57, 81, 105])
        #expect(WeeklyHours.hours(of: weekdays)?.minute == 30)
        #expect(WeeklyHours.hours(of: try Schedule(parsing: "0 9,18 * * *"))?.hours.count == 14)
        #expect(WeeklyHours.hours(of: try Schedule(parsing: "0 9 * * SUN"))?.hours == [153])
        // Both day fields restricted and the day of month names every day: every day fires.
        #expect(WeeklyHours.hours(of: try Schedule(parsing: "0 9 1-31 * MON"))?.hours.count == 7)
        // Not weekly: days of the month, months, several minutes, intervals, minutes that differ between expressions.
        for rule in ["0 9 1 * *", "0 9 * 1-6 *", "0,30 9 * * *", "*/15 9 * * *", "every:1d", "0 9 * * MON; 30 9 * * TUE"] {
            #expect(WeeklyHours.hours(of: try Schedule(parsing: rule)) == nil, "\(rule)")
        }
    }

    @Test func hoursBecomeTheFewestExpressionsOfEitherGroupingAndReadBackTheSame() throws {
        #expect(WeeklyHours.rule(hours: [9, 33, 57, 81, 105], minute: 30) == "30 9 * * MON,TUE,WED,THU,FRI")
        #expect(WeeklyHours.rule(hours: (0..<7).map { $0 * 24 + 8 }, minute: 0) == "0 8 * * *")
        #expect(WeeklyHours.rule(hours: [10, 43, 91, 130, 154], minute: 30) == "30 10 * * MON,SAT,SUN; 30 19 * * TUE,THU")
        // Grouped by hour: 9 on Monday to Wednesday, 19 on Tuesday and Thursday (by day it takes three).
        #expect(WeeklyHours.rule(hours: [9, 33, 43, 57, 91], minute: 0) == "0 9 * * MON,TUE,WED; 0 19 * * TUE,THU")
        var random = SplitMix64(seed: 18)
        for _ in 0..<300 {
            let hours = Set((0..<Int.random(in: 1...20, using: &random)).map { _ in Int.random(in: 0..<168, using: &random) })
            let minute = Int.random(in: 0..<60, using: &random)
            let rule = WeeklyHours.rule(hours: Array(hours), minute: minute)
            let schedule = try Schedule(parsing: rule, timeZone: "UTC")
            #expect(WeeklyHours.hours(of: schedule)?.hours == hours.sorted(), "\(rule)")
            #expect(WeeklyHours.hours(of: schedule)?.minute == minute, "\(rule)")
            #expect(schedule.ruleText == rule)
            // A week of fires hits each hour once, at the minute.
            let monday = try Timestamp.parse("2026-11-02T00:00:00Z")
            let fires = schedule.fires(after: monday.addingTimeInterval(-1), through: monday.addingTimeInterval(7 * 86_400 - 1))
            let zone = TimeZone(identifier: "UTC")!
            #expect(fires.map { Self.hourOfWeek($0, zone).hour } == hours.sorted(), "\(rule)")
            #expect(fires.allSatisfy { Self.hourOfWeek($0, zone).minute == minute })
        }
    }

    @Test func aListFiresAtEachOfItsLocalTimesAcrossTheClockChange() throws {
        let zone = TimeZone(identifier: "Europe/Berlin")!
        let schedule = try Schedule(parsing: "30 10 * * MON,SAT,SUN; 30 19 * * TUE,THU", timeZone: "Europe/Berlin")
        let fires = schedule.fires(after: try Timestamp.parse("2026-10-22T12:00:00Z"), through: try Timestamp.parse("2026-10-28T00:00:00Z"))
        // Summer time (UTC+2) until Sunday 03:00, then UTC+1: the same local times, an hour later in UTC.
        #expect(
            fires.map(Timestamp.format) == [
                "2026-10-22T17:30:00Z", "2026-10-24T08:30:00Z", "2026-10-25T09:30:00Z", "2026-10-26T09:30:00Z", "2026-10-27T18:30:00Z",
            ]
        )
        #expect(fires.map { Self.hourOfWeek($0, zone).hour } == [91, 130, 154, 10, 43])
        #expect(fires.allSatisfy { schedule.daylightSavingNote(for: $0) == nil })
    }

    @Test func aListWithAnEmptyOrBadExpressionIsRefusedNamingIt() throws {
        #expect(throws: ValidationError.self) { try Schedule(parsing: "0 9 * * MON; ", timeZone: "UTC") }
        let error = #expect(throws: ValidationError.self) { try Schedule(parsing: "0 9 * * MON; 0 25 * * TUE", timeZone: "UTC") }
        #expect(error?.field == "hour")
    }
}
