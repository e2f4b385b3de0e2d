import Foundation
import Testing

@testable import WebApp

/// Dates on pages: ISO 8601 for `<time datetime>` as `ISO8601DateFormatter` writes it, the readable form with its
/// offset, and form values that read back to the same instant in their zone (across a daylight-saving change too).
struct PageDatesTests {
    let paris = TimeZone(identifier: "Europe/Paris")!
    let utc = TimeZone(identifier: "UTC")!

    @Test func isoAndReadableFormsCarryTheZonesOffset() {
        // 2026-03-29 00:30 UTC: before Paris moves to summer time (01:30 +01:00); 02:30 UTC is after (04:30 +02:00).
        let before = Date(timeIntervalSince1970: 1_774_744_200)
        let after = before.addingTimeInterval(7_200)
        #expect(PageDates.iso(before, in: paris) == "2026-03-29T01:30:00+01:00")
        #expect(PageDates.iso(after, in: paris) == "2026-03-29T04:30:00+02:00")
        #expect(PageDates.iso(before, in: utc) == "2026-03-29T00:30:00Z")
        #expect(PageDates.readable(after, in: paris) == "Sun 29 Mar 2026, 04:30 (+02:00)")
        #expect(PageDates.day(after, in: paris) == "2026-03-29")
        #expect(PageDates.local(after, in: paris) == "2026-03-29T04:30")
    }

    /// Over instants from 1970 to 2100 (a prime step, so every hour, minute and offset comes up) in zones with
    /// half-hour offsets and daylight saving.
    @Test(arguments: ["UTC", "Europe/Paris", "Asia/Kolkata", "America/St_Johns", "Australia/Lord_Howe"])
    func theISOFormIsWhatISO8601DateFormatterWritesAndFormValuesReadBack(identifier: String) {
        let zone = TimeZone(identifier: identifier)!
        let reference = ISO8601DateFormatter()
        reference.timeZone = zone
        for seconds in stride(from: 0, to: 4_102_444_800, by: 1_999_993) {
            let date = Date(timeIntervalSince1970: TimeInterval(seconds))
            #expect(PageDates.iso(date, in: zone) == reference.string(from: date))
            // A form value has minutes only; a wall time that happens twice (clocks going back) reads as one of them.
            let read = PageDates.parseLocal(PageDates.local(date, in: zone), in: zone)
            #expect(read.map { PageDates.local($0, in: zone) } == PageDates.local(date, in: zone))
        }
    }

    @Test func formValuesReadBackInTheirZoneAndNonsenseIsNil() {
        #expect(PageDates.parseLocal("2026-12-01T09:00", in: paris) == Date(timeIntervalSince1970: 1_796_112_000))
        #expect(PageDates.parseLocal("2026-12-01", in: utc) == Date(timeIntervalSince1970: 1_796_083_200))
        #expect(PageDates.parseDay("2026-12-01", in: utc) == Date(timeIntervalSince1970: 1_796_083_200))
        #expect(PageDates.parseLocal("next tuesday", in: utc) == nil)
        #expect(PageDates.parseDay("2026-13-45", in: utc) == nil)
    }
}
