import Foundation
import HeraldCore
import Testing

@testable import Scheduling

/// The daylight-saving notes the schedule editor shows on fires, in Europe/Berlin (clocks forward at 02:00 on
/// 28 March 2027, back at 03:00 on 25 October 2026).
struct DaylightSavingNoteTests {
    static func fires(_ rule: String, from: String, count: Int) throws -> (Schedule, [Date]) {
        let schedule = try Schedule(parsing: rule, timeZone: "Europe/Berlin")
        var fires: [Date] = []
        var after = try Timestamp.parse(from)
        while fires.count < count, let next = schedule.nextFire(after: after) {
            fires.append(next)
            after = next
        }
        return (schedule, fires)
    }

    @Test func aFixedTimeInTheGapFiresAfterItWithANote() throws {
        let (schedule, fires) = try Self.fires("30 2 * * *", from: "2027-03-26T12:00:00Z", count: 3)
        #expect(fires.map(Timestamp.format) == ["2027-03-27T01:30:00Z", "2027-03-28T01:00:00Z", "2027-03-29T00:30:00Z"])
        #expect(schedule.daylightSavingNote(for: fires[0]) == nil)
        #expect(schedule.daylightSavingNote(for: fires[1]) == .movedPastGap(gapStart: "02:00", gapEnd: "03:00"))
        #expect(schedule.daylightSavingNote(for: fires[1])?.sentence.contains("first instant after the gap") == true)
        #expect(schedule.daylightSavingNote(for: fires[2]) == nil)
    }

    @Test func aFixedTimeOutsideTheGapHasNoNote() throws {
        let (schedule, fires) = try Self.fires("0 3 * * *", from: "2027-03-27T12:00:00Z", count: 1)
        #expect(fires.map(Timestamp.format) == ["2027-03-28T01:00:00Z"])
        #expect(schedule.daylightSavingNote(for: fires[0]) == nil)
    }

    @Test func aRepeatedFixedTimeFiresOnceWithANote() throws {
        let (schedule, fires) = try Self.fires("30 2 * * *", from: "2026-10-24T12:00:00Z", count: 2)
        #expect(fires.map(Timestamp.format) == ["2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"])
        #expect(schedule.daylightSavingNote(for: fires[0]) == .firstOfRepeated(repeatStart: "02:00", repeatEnd: "03:00"))
        #expect(schedule.daylightSavingNote(for: fires[1]) == nil)
    }

    @Test func anHourlyRuleFiresInBothPassesOfTheRepeatedHour() throws {
        let (schedule, fires) = try Self.fires("30 * * * *", from: "2026-10-24T23:45:00Z", count: 3)
        #expect(fires.map(Timestamp.format) == ["2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z", "2026-10-25T02:30:00Z"])
        #expect(schedule.daylightSavingNote(for: fires[0]) == .repeatedHour(pass: 1, repeatStart: "02:00", repeatEnd: "03:00"))
        #expect(schedule.daylightSavingNote(for: fires[1]) == .repeatedHour(pass: 2, repeatStart: "02:00", repeatEnd: "03:00"))
        #expect(schedule.daylightSavingNote(for: fires[2]) == nil)
    }

    @Test func anHourlyRuleNotesTheSkippedHour() throws {
        let (schedule, fires) = try Self.fires("0 * * * *", from: "2027-03-28T00:30:00Z", count: 2)
        #expect(fires.map(Timestamp.format) == ["2027-03-28T01:00:00Z", "2027-03-28T02:00:00Z"])
        #expect(schedule.daylightSavingNote(for: fires[0]) == .afterSkippedHour(gapStart: "02:00", gapEnd: "03:00"))
        #expect(schedule.daylightSavingNote(for: fires[1]) == nil)
    }
}
