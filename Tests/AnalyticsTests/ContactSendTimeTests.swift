import Foundation
import HeraldCore
import PropertyBased
import Testing

@testable import Analytics

struct ContactSendTimeTests {
    static let berlin = TimeZone(identifier: "Europe/Berlin")!
    static let newYork = TimeZone(identifier: "America/New_York")!
    static let nineToSix = SendWindow(start: 9 * 60, end: 18 * 60)

    /// 2026-01-01T00:00:00Z.
    static let start = Date(timeIntervalSince1970: 1_767_225_600)

    /// Instants spread over 2026 (every DST change of both zones included), at any second.
    static let instants = Gen.int(in: 0...(365 * 86_400)).map { start.addingTimeInterval(TimeInterval($0)) }
    /// Engagement histories: up to 12 hours of the week with 0 to 6 engagements each.
    static let histories = zip(Gen.int(in: 0...167), Gen.int(in: 0...6)).map { EngagementHour(hourOfWeek: $0, count: $1) }.array(of: 0...12)
    /// Windows of 1 to 23 hours, some running over midnight, some on the half hour.
    static let windows = zip(Gen.int(in: 0...47), Gen.int(in: 2...46)).map { start, length in
        SendWindow(start: start * 30, end: (start * 30 + length * 30) % 1_440)
    }

    static func local(_ date: Date, in zone: TimeZone) -> DateComponents {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
    }

    @Test func noHistoryMeansTheCampaignsTime() {
        let time = Self.start.addingTimeInterval(3_600 * 10)
        #expect(ContactSendTime.bestHour(history: [], window: Self.nineToSix) == nil)
        #expect(ContactSendTime.plan(history: [], timeZone: Self.berlin, window: Self.nineToSix, campaignTime: time) == time)
        // Four engagements are not enough; nor is history outside the window.
        let four = [EngagementHour(hourOfWeek: 11, count: 4)]
        #expect(ContactSendTime.bestHour(history: four, window: Self.nineToSix) == nil)
        let evenings = [EngagementHour(hourOfWeek: 21, count: 30)]
        #expect(ContactSendTime.bestHour(history: evenings, window: Self.nineToSix) == nil)
        // No time zone or no window: the campaign's time too.
        let enough = [EngagementHour(hourOfWeek: 11, count: 9)]
        #expect(ContactSendTime.plan(history: enough, timeZone: nil, window: Self.nineToSix, campaignTime: time) == time)
        #expect(ContactSendTime.plan(history: enough, timeZone: Self.berlin, window: nil, campaignTime: time) == time)
    }

    @Test func theContactsHabitWinsOnceItRepeats() {
        // Monday and Thursday at 12:00 and a stray 10:00.
        let history = [
            EngagementHour(hourOfWeek: 12, count: 3), EngagementHour(hourOfWeek: 3 * 24 + 12, count: 3), EngagementHour(hourOfWeek: 10, count: 1),
        ]
        #expect(ContactSendTime.bestHour(history: history, window: Self.nineToSix) == 12)
        // 2026-03-02 08:00 UTC is 09:00 in Berlin: noon the same day is 11:00 UTC.
        let campaign = Date(timeIntervalSince1970: 1_772_438_400)
        let sent = ContactSendTime.plan(history: history, timeZone: Self.berlin, window: Self.nineToSix, campaignTime: campaign)
        #expect(sent == campaign.addingTimeInterval(3 * 3_600))
        // Campaign time after noon: noon the next day.
        let late = campaign.addingTimeInterval(5 * 3_600)
        #expect(
            ContactSendTime.plan(history: history, timeZone: Self.berlin, window: Self.nineToSix, campaignTime: late)
                == campaign.addingTimeInterval(27 * 3_600)
        )
    }

    @Test func thePopulationDecidesWhileTheHistoryIsThin() {
        // Five engagements spread evenly over five hours: the population's 15:00 breaks the tie.
        let history = (9...13).map { EngagementHour(hourOfWeek: $0, count: 1) }
        let population = SendTimeModel(
            counts: (0..<168).map { (hourOfWeek: $0, trials: 10_000, successes: $0 % 24 == 15 ? 3_000 : 100) },
            minimumTrials: 1
        )
        #expect(ContactSendTime.bestHour(history: history, window: Self.nineToSix, population: population) == 15)
        #expect(ContactSendTime.bestHour(history: history, window: Self.nineToSix) == 9)
    }

    @Test func theBestHourIsAlwaysInsideTheWindow() async {
        await propertyCheck(count: 300, input: zip(Self.histories, Self.windows)) { history, window in
            guard let hour = ContactSendTime.bestHour(history: history, window: window, minimumEngagements: 1) else {
                #expect(window.hours.allSatisfy { hour in history.filter { $0.hourOfDay == hour }.allSatisfy { $0.count == 0 } })
                return
            }
            #expect(window.hours.contains(hour), "\(hour) outside \(window.text)")
            #expect(window.contains(minute: hour * 60))
        }
    }

    @Test func theSendTimeIsTheNextLocalHourInTheWindowAcrossDST() async {
        for zone in [Self.berlin, Self.newYork] {
            await propertyCheck(count: 400, input: zip(Self.instants, Self.windows, Gen.int(in: 0...23))) { campaign, window, wanted in
                let sent = ContactSendTime.sendAt(campaignTime: campaign, contactTimeZone: zone, bestHour: wanted, window: window)
                let target =
                    window.hours.contains(wanted)
                    ? wanted : window.hours.min { ContactSendTime.distance($0, wanted) < ContactSendTime.distance($1, wanted) }!
                let local = Self.local(sent, in: zone)
                #expect(window.contains(minute: target * 60))
                #expect(sent >= campaign, "\(sent) before \(campaign)")
                // The first such hour: never more than a day (and a DST hour) later.
                #expect(sent.timeIntervalSince(campaign) <= 25 * 3_600, "\(sent) too long after \(campaign)")
                #expect(local.minute == 0 && local.second == 0)
                // On the hour of the window, unless a spring-forward gap skipped it (then the first instant after the gap).
                if local.hour != target {
                    #expect(
                        local.hour == target + 1 && !zone.isDaylightSavingTime(for: sent.addingTimeInterval(-3_600))
                            && zone.isDaylightSavingTime(for: sent),
                        "\(zone.identifier) \(sent): \(local) for \(target)"
                    )
                }
            }
        }
    }

    @Test func springForwardAndFallBackNightsInBerlinAndNewYork() {
        let early = SendWindow(start: 0, end: 6 * 60)
        // Berlin 2026-03-29: 02:00 does not exist; 02:00 wanted → 03:00 CEST (01:00 UTC).
        let berlinSpring = Date(timeIntervalSince1970: 1_774_738_800)  // 2026-03-28T23:00:00Z = 00:00 CET
        #expect(
            ContactSendTime.sendAt(campaignTime: berlinSpring, contactTimeZone: Self.berlin, bestHour: 2, window: early)
                == Date(timeIntervalSince1970: 1_774_746_000)
        )
        // Berlin 2026-10-25: 02:00 happens twice; the first (02:00 CEST = 00:00 UTC) is the one.
        let berlinFall = Date(timeIntervalSince1970: 1_792_879_200)  // 2026-10-24T22:00:00Z = 00:00 CEST
        #expect(
            ContactSendTime.sendAt(campaignTime: berlinFall, contactTimeZone: Self.berlin, bestHour: 2, window: early)
                == Date(timeIntervalSince1970: 1_792_886_400)
        )
        // New York 2026-03-08: 09:00 EDT is 13:00 UTC (it was 14:00 UTC the day before).
        let newYorkSpring = Date(timeIntervalSince1970: 1_772_946_000)  // 2026-03-08T05:00:00Z = 00:00 EST
        #expect(
            ContactSendTime.sendAt(campaignTime: newYorkSpring, contactTimeZone: Self.newYork, bestHour: 9, window: Self.nineToSix)
                == Date(timeIntervalSince1970: 1_772_974_800)
        )
        // New York 2026-11-01: 09:00 EST is 14:00 UTC.
        let newYorkFall = Date(timeIntervalSince1970: 1_793_505_600)  // 2026-11-01T04:00:00Z = 00:00 EDT
        #expect(
            ContactSendTime.sendAt(campaignTime: newYorkFall, contactTimeZone: Self.newYork, bestHour: 9, window: Self.nineToSix)
                == Date(timeIntervalSince1970: 1_793_541_600)
        )
    }

    @Test func aCampaignTimeOnTheHourCounts() {
        let nine = Date(timeIntervalSince1970: 1_772_438_400)  // 09:00 in Berlin
        #expect(ContactSendTime.sendAt(campaignTime: nine, contactTimeZone: Self.berlin, bestHour: 9, window: Self.nineToSix) == nine)
        #expect(
            ContactSendTime.sendAt(campaignTime: nine.addingTimeInterval(0.5), contactTimeZone: Self.berlin, bestHour: 9, window: Self.nineToSix)
                == nine.addingTimeInterval(86_400)
        )
    }

    @Test func anHourOutsideTheWindowMovesToItsNearestHour() {
        let nine = Date(timeIntervalSince1970: 1_772_438_400)  // 2026-03-02 09:00 in Berlin
        #expect(
            ContactSendTime.sendAt(campaignTime: nine, contactTimeZone: Self.berlin, bestHour: 20, window: Self.nineToSix)
                == nine.addingTimeInterval(8 * 3_600)
        )
        #expect(ContactSendTime.sendAt(campaignTime: nine, contactTimeZone: Self.berlin, bestHour: 3, window: Self.nineToSix) == nine)
    }
}
