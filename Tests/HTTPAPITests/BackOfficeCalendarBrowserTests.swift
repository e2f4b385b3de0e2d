import Foundation
import HTTPAPI
import HeraldCore
import HeraldTestSupport
import NIOHTTP1
import PostgresNIO
import Storage
import Testing
import WebApp

/// The schedule editor and the calendar in a real headless Chromium (see ``BackOfficeBrowserTests``): an editor edits
/// a schedule and sees the daylight-saving note, sees the campaign's posts on the calendar by week and by month, a
/// viewer is refused the editor, and a hostile campaign name stays text on every one of these pages.
///
/// With `HERALD_SCREENSHOTS_DIR` set it saves the schedule editor and the calendar at laptop and phone widths there.
@Suite struct BackOfficeCalendarBrowserTests {
    @Test func anEditorSchedulesACampaignAndSeesItOnTheCalendar() async throws {
        try await BackOfficeTests.live { server in
            try await BackOfficeTests.person(server, "ed@example.com", role: .editor)
            try await BackOfficeTests.person(server, "viv@example.com", role: .viewer)
            try await BackOfficeCalendarTests.campaign(server)
            let token = try await server.token(workspace: "acme", role: .editor)
            // One fire now, so the calendar has queued publications of today besides the schedule's coming fires.
            #expect(try await server.send(.POST, "/v1/campaigns/hostile/publish", token: token).status < 300)
            let base = "http://127.0.0.1:\(server.port)"

            let drove = try await BackOfficeBrowserTests.withBrowser { driver in
                try await driver.open(base + "/app/login")
                try await driver.type("ed@example.com", into: "#email")
                try await driver.type(BackOfficeTests.password, into: "#password")
                try await driver.click("main form button[type=submit]")
                #expect(try await driver.url(becoming: base + "/app") == base + "/app")

                // The calendar, week and month: the campaign's coming fires (daily at 09:00 in Berlin) in the zone
                // chosen; the hostile name is text.
                // The week of tomorrow always has a coming fire, whatever the day and hour the test runs.
                let day = DateFormatter()
                day.timeZone = TimeZone(identifier: "Europe/Berlin")
                day.dateFormat = "yyyy-MM-dd"
                let tomorrow = day.string(from: Date().addingTimeInterval(86_400))
                try await driver.open(base + "/app/calendar?view=week&date=\(tomorrow)&tz=Europe/Berlin")
                #expect(try await driver.text("main h1", becoming: "Calendar") == "Calendar")
                let week = try await driver.source()
                #expect(week.contains("T09:00:00+01:00"), "\(week)")
                #expect(try await driver.text(".posts a") == BackOfficeTests.hostile)
                #expect(await !driver.alertIsOpen())
                try await driver.screenshots("calendar-week")
                try await driver.click(".calendar-nav a[href*='view=month']")
                #expect(try await driver.text(".calendar-nav a[href*='view=week']", becoming: "Week view") == "Week view")
                let month = try await driver.source()
                #expect(month.contains("T09:00:00+01:00"))
                #expect(await !driver.alertIsOpen())
                try await driver.screenshots("calendar-month")

                // The schedule editor from the campaign page: Sundays of March at 02:30 in Berlin meet the spring change.
                try await driver.open(base + "/app/campaigns/hostile")
                try await driver.click("a[href='/app/campaigns/hostile/schedule']")
                #expect(try await driver.url(becoming: base + "/app/campaigns/hostile/schedule") == base + "/app/campaigns/hostile/schedule")
                #expect(await !driver.alertIsOpen())
                try await driver.replace("#cron", with: "61 2 * 3 SUN")
                try await driver.click("button[value=save]")
                let expected = "Cron: minute \"61\": 61 is out of range 0-59."
                #expect(try await driver.text("#cron-error", becoming: expected) == expected)
                try await driver.replace("#cron", with: "30 2 * 3 SUN")
                try await driver.click("button[value=save]")
                #expect(
                    try await driver.url(becoming: base + "/app/campaigns/hostile/schedule?saved=1") == base
                        + "/app/campaigns/hostile/schedule?saved=1"
                )
                let note = try await driver.text(".dst")
                #expect(note.contains("Clocks go forward from 02:00 to 03:00"), "\(note)")
                #expect(note.contains("Herald fires once, at the first instant after the gap"))
                try await driver.screenshots("schedule")

                // A viewer is refused the editor.
                try await driver.click(".signout button")
                #expect(try await driver.url(becoming: base + "/app/login") == base + "/app/login")
                try await driver.type("viv@example.com", into: "#email")
                try await driver.type(BackOfficeTests.password, into: "#password")
                try await driver.click("main form button[type=submit]")
                #expect(try await driver.url(becoming: base + "/app") == base + "/app")
                try await driver.open(base + "/app/campaigns/hostile/schedule")
                #expect(try await driver.text("main h1", becoming: "Not allowed") == "Not allowed")
            }
            guard drove else {
                print(
                    "BackOfficeCalendarBrowserTests: skipped: chromium and chromedriver are not installed (apt-get install chromium chromium-driver)"
                )
                return
            }
            #expect(try await server.count("SELECT count(*)::int FROM schedules WHERE name = 'campaign:hostile' AND rule = '30 2 * 3 SUN'") == 1)
        }
    }
}
