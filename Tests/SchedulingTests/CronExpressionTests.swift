import Foundation
import HeraldCore
import Testing

@testable import Scheduling

struct CronExpressionTests {
    let utc = TimeZone(identifier: "UTC")!

    func date(_ text: String) -> Date { try! Timestamp.parse(text) }

    func fires(_ expression: String, _ zone: String, from: String, count: Int) throws -> [String] {
        let cron = try CronExpression(parsing: expression)
        let timeZone = try #require(TimeZone(identifier: zone))
        return cron.nextFires(after: date(from), in: timeZone, count: count).map { Self.local($0, timeZone) }
    }

    /// ISO 8601 with the zone's offset, as `herald cron next` prints.
    static func local(_ date: Date, _ timeZone: TimeZone) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = timeZone
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    @Test func weekdayMornings() throws {
        #expect(
            try fires("0 9 * * MON-FRI", "Europe/Berlin", from: "2026-03-06T12:00:00Z", count: 3) == [
                "2026-03-09T09:00:00+01:00", "2026-03-10T09:00:00+01:00", "2026-03-11T09:00:00+01:00",
            ]
        )
    }

    @Test func macrosListsStepsAndNames() throws {
        #expect(try fires("@hourly", "UTC", from: "2026-01-01T00:30:00Z", count: 2) == ["2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z"])
        #expect(
            try fires("*/20 1 * * *", "UTC", from: "2026-01-01T00:30:00Z", count: 4) == [
                "2026-01-01T01:00:00Z", "2026-01-01T01:20:00Z", "2026-01-01T01:40:00Z", "2026-01-02T01:00:00Z",
            ]
        )
        #expect(try fires("0 0 1 jan,Jul *", "UTC", from: "2026-01-01T00:00:00Z", count: 2) == ["2026-07-01T00:00:00Z", "2027-01-01T00:00:00Z"])
        #expect(try fires("0 12 * * 7", "UTC", from: "2026-03-01T13:00:00Z", count: 1) == ["2026-03-08T12:00:00Z"])
        #expect(try fires("0 0 29 2 *", "UTC", from: "2026-03-01T00:00:00Z", count: 1) == ["2028-02-29T00:00:00Z"])
    }

    @Test func dayOfMonthOrDayOfWeekAsInVixieCron() throws {
        // Both restricted: either matches (the 13th, or any Friday).
        #expect(
            try fires("0 0 13 * FRI", "UTC", from: "2026-03-01T00:00:00Z", count: 3) == [
                "2026-03-06T00:00:00Z", "2026-03-13T00:00:00Z", "2026-03-20T00:00:00Z",
            ]
        )
        // Day of month starts with '*': both must match (Fridays on odd days).
        #expect(
            try fires("0 0 */2 * FRI", "UTC", from: "2026-03-01T00:00:00Z", count: 2) == [
                "2026-03-13T00:00:00Z", "2026-03-27T00:00:00Z",
            ]
        )
    }

    @Test func springForwardGap() throws {
        // Europe/Berlin, 2026-03-29: 02:00 jumps to 03:00.
        #expect(
            try fires("30 2 * * *", "Europe/Berlin", from: "2026-03-28T00:00:00Z", count: 3) == [
                "2026-03-28T02:30:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00",
            ]
        )
        // Real-time jobs do not make up skipped times.
        #expect(
            try fires("*/30 * * * *", "Europe/Berlin", from: "2026-03-29T00:15:00Z", count: 3) == [
                "2026-03-29T01:30:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-29T03:30:00+02:00",
            ]
        )
        // Two skipped times fire once.
        #expect(
            try fires("0,30 2 * * *", "Europe/Berlin", from: "2026-03-29T00:00:00Z", count: 2) == [
                "2026-03-29T03:00:00+02:00", "2026-03-30T02:00:00+02:00",
            ]
        )
    }

    @Test func fallBackOverlap() throws {
        // Europe/Berlin, 2026-10-25: 03:00 goes back to 02:00, so 02:30 happens twice.
        #expect(
            try fires("30 2 * * *", "Europe/Berlin", from: "2026-10-24T12:00:00Z", count: 2) == [
                "2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00",
            ]
        )
        #expect(
            try fires("30 * * * *", "Europe/Berlin", from: "2026-10-24T23:00:00Z", count: 3) == [
                "2026-10-25T01:30:00+02:00", "2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00",
            ]
        )
    }

    @Test func lordHoweHalfHourShift() throws {
        // Australia/Lord_Howe 2026-04-05: 02:00 (+11) goes back to 01:30 (+10:30).
        #expect(
            try fires("45 1 * * *", "Australia/Lord_Howe", from: "2026-04-04T00:00:00Z", count: 2) == [
                "2026-04-05T01:45:00+11:00", "2026-04-06T01:45:00+10:30",
            ]
        )
    }

    @Test func leapDayAnswersEveryFireAskedFor() throws {
        // Four fires span more than 13 years: the search is bounded per fire, not per call.
        #expect(
            try fires("0 0 29 2 *", "UTC", from: "2026-11-30T00:00:00Z", count: 4) == [
                "2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z", "2036-02-29T00:00:00Z", "2040-02-29T00:00:00Z",
            ]
        )
        // Across 2100, which is no leap year: 8 years apart.
        #expect(try fires("0 0 29 2 *", "UTC", from: "2096-03-01T00:00:00Z", count: 1) == ["2104-02-29T00:00:00Z"])
    }

    @Test func leapDayOnASundayWaitsUpToFortyYears() throws {
        // Day of week starts with '*', so both fields must match: a February 29 that is a Sunday (2088, then 2128).
        #expect(
            try fires("0 0 29 2 */7", "UTC", from: "2026-11-30T00:00:00Z", count: 4) == [
                "2032-02-29T00:00:00Z", "2060-02-29T00:00:00Z", "2088-02-29T00:00:00Z", "2128-02-29T00:00:00Z",
            ]
        )
    }

    @Test func searchGivesUpAfterTheHorizonWithoutAFire() throws {
        let cron = try CronExpression(parsing: "0 0 29 2 *")
        let from = date("2026-11-30T00:00:00Z")
        // 2028-02-29 is 456 days on, and each later leap day 1,461 days after the one before.
        #expect(cron.nextFires(after: from, in: utc, count: 3, horizonDays: 400).isEmpty)
        #expect(cron.nextFires(after: from, in: utc, count: 3, horizonDays: 1_000).map { Self.local($0, utc) } == ["2028-02-29T00:00:00Z"])
        #expect(
            cron.nextFires(after: from, in: utc, count: 3, horizonDays: 1_500).map { Self.local($0, utc) } == [
                "2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z", "2036-02-29T00:00:00Z",
            ]
        )
        #expect(CronExpression.searchHorizonDays > 146_097, "a whole 400-year Gregorian cycle")
    }

    @Test(arguments: [
        ("0 9 * *", "cron: \"0 9 * *\" has 4 fields"),
        ("60 * * * *", "minute: \"60\": 60 is out of range 0-59"),
        ("0 24 * * *", "hour: \"24\": 24 is out of range 0-23"),
        ("0 0 0 * *", "day-of-month: \"0\": 0 is out of range 1-31"),
        ("0 0 * 13 *", "month: \"13\": 13 is out of range 1-12"),
        ("0 0 * * 8", "day-of-week: \"8\": 8 is out of range 0-7"),
        ("0 0 * * MOX", "day-of-week: \"MOX\": \"MOX\" is not a number or one of SUN, MON"),
        ("*/0 * * * *", "minute: \"*/0\": step \"0\" must be a positive whole number"),
        ("5-1 * * * *", "minute: \"5-1\": range 5-1 runs backwards"),
        ("1,,2 * * * *", "minute: \"1,,2\": has an empty list item"),
        ("0 0 31 2 *", "day-of-month: \"31\" never occurs in the months \"2\""),
        ("@reboot", "cron: \"@reboot\" is not a known macro"),
    ])
    func invalidExpressionsNameTheField(expression: String, message: String) {
        #expect {
            try CronExpression(parsing: expression)
        } throws: { error in
            let matches = "\(error)".hasPrefix(message)
            if !matches { Issue.record("got \(error)") }
            return matches
        }
    }
}
