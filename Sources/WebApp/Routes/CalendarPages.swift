import Foundation
import HTTPTypes
import HeraldCore
import Hummingbird
import Logging
import Scheduling
import Storage

/// The calendar, `GET /app/calendar?view=week|month&date=YYYY-MM-DD[&tz=Zone]` (any role): publications scheduled
/// and sent, and the coming fires of active campaigns' schedules, across channels and accounts, by day in the
/// viewer's time zone (`tz`, remembered in the `herald_tz` cookie; UTC until chosen). Two queries a page
/// (``CalendarStore``), however many posts.
struct CalendarPages<Context: RequestContext & RemoteAddressRequestContext> {
    let app: WebApp<Context>

    /// The cookie that remembers the viewer's time zone.
    static var zoneCookie: String { "herald_tz" }
    /// Most items listed in one day's cell (the rest are counted).
    static var perDay: Int { 60 }

    func add(to group: RouterGroup<Context>) {
        group.get("calendar") { request, context in try await show(request, context: context) }
    }

    struct Model {
        struct Item {
            var iso: String
            var time: String
            var state: String
            var kind: String
            var slug: String
            var campaign: String
            var channel: String
            var account: String?
        }

        struct Day {
            var iso: String
            var label: String
            var outside: Bool
            var isToday: Bool
            var items: [Item]
            var hasItems: Bool
            var more: Int?
        }

        struct Week {
            var days: [Day]
        }

        var view: String
        var isWeek: Bool
        var date: String
        var today: String
        var previous: String
        var next: String
        var zone: String
        var zoneProblem: String?
        var rangeLabel: String
        var weekdays: [String]
        var weeks: [Week]
        var scheduledCount: Int
        var sentCount: Int
        var truncated: Bool
        var limit: Int
    }

    /// The most posts one page reads.
    static var postLimit: Int { 5_000 }

    func show(_ request: Request, context: Context) async throws -> Response {
        let session = try await app.requireSession(request, context: context)
        let query = request.uri.queryParameters
        var zoneProblem: String?
        var chosen: String?
        if let asked = query["tz"].map(String.init)?.trimmingCharacters(in: .whitespaces), !asked.isEmpty {
            if TimeZone(identifier: asked) != nil {
                chosen = asked
            } else {
                zoneProblem = "\"\(asked)\" is not an IANA time zone (e.g. Europe/Berlin); showing the previous one."
            }
        }
        let remembered = request.cookies[Self.zoneCookie]?.value
        let zone = (chosen ?? remembered).flatMap { TimeZone(identifier: $0) } ?? TimeZone(identifier: "UTC")!
        let isMonth = query["view"] == "month"
        let now = Date()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        calendar.firstWeekday = 2
        calendar.locale = Locale(identifier: "en_GB")
        let asked = query["date"].flatMap { PageDates.parseDay(String($0), in: zone) }
        if query["date"] != nil, asked == nil, zoneProblem == nil {
            zoneProblem = "The date must be YYYY-MM-DD; showing today."
        }
        let anchor = calendar.startOfDay(for: asked ?? now)
        let first = isMonth ? calendar.dateInterval(of: .month, for: anchor)!.start : anchor
        let gridStart = calendar.dateInterval(of: .weekOfYear, for: first)!.start
        let gridEnd: Date
        if isMonth {
            let lastDay = calendar.date(byAdding: .day, value: -1, to: calendar.dateInterval(of: .month, for: anchor)!.end)!
            gridEnd = calendar.dateInterval(of: .weekOfYear, for: lastDay)!.end
        } else {
            gridEnd = calendar.date(byAdding: .day, value: 7, to: gridStart)!
        }
        let store = CalendarStore(app.database, workspace: session.user.workspace)
        let posts = try await store.posts(from: gridStart, to: gridEnd, limit: Self.postLimit)
        let schedules = try await store.activeSchedules()

        var byDay: [String: [Model.Item]] = [:]
        var scheduled = 0
        var sent = 0
        for post in posts {
            let item = Model.Item(
                iso: PageDates.iso(post.at, in: zone),
                time: PageDates.format(post.at, "HH:mm", in: zone),
                state: post.state,
                kind: "post",
                slug: post.campaignSlug,
                campaign: post.campaignName,
                channel: post.channel,
                account: post.account
            )
            if post.state == "published" { sent += 1 } else if post.state == "scheduled" { scheduled += 1 }
            byDay[PageDates.day(post.at, in: zone), default: []].append(item)
        }
        for stored in schedules {
            guard var schedule = try? Schedule(parsing: stored.rule, timeZone: stored.timeZone, anchor: stored.createdAt) else { continue }
            schedule.activeFrom = stored.activeFrom
            schedule.activeUntil = stored.activeUntil
            let limit = min(stored.firesLeft ?? Self.postLimit, Self.postLimit)
            // Fires already past are publications (or nothing) by now: only the coming ones are the schedule's.
            for fire in schedule.fires(after: max(now, gridStart.addingTimeInterval(-0.001)), through: gridEnd, limit: limit) where fire < gridEnd {
                scheduled += 1
                byDay[PageDates.day(fire, in: zone), default: []].append(
                    Model.Item(
                        iso: PageDates.iso(fire, in: zone),
                        time: PageDates.format(fire, "HH:mm", in: zone),
                        state: "scheduled",
                        kind: "fire",
                        slug: stored.campaignSlug,
                        campaign: stored.campaignName,
                        channel: stored.channels.joined(separator: ", "),
                        account: nil
                    )
                )
            }
        }

        let todayKey = PageDates.day(now, in: zone)
        let month = calendar.component(.month, from: anchor)
        var weeks: [Model.Week] = []
        var day = gridStart
        while day < gridEnd {
            var days: [Model.Day] = []
            for _ in 0..<7 {
                let key = PageDates.day(day, in: zone)
                let items = (byDay[key] ?? []).sorted { $0.iso < $1.iso }
                let shown = Array(items.prefix(Self.perDay))
                days.append(
                    Model.Day(
                        iso: key,
                        label: PageDates.format(day, "EEE d MMM", in: zone),
                        outside: isMonth && calendar.component(.month, from: day) != month,
                        isToday: key == todayKey,
                        items: shown,
                        hasItems: !shown.isEmpty,
                        more: items.count > shown.count ? items.count - shown.count : nil
                    )
                )
                day = calendar.date(byAdding: .day, value: 1, to: day)!
            }
            weeks.append(Model.Week(days: days))
        }
        let step: Calendar.Component = isMonth ? .month : .weekOfYear
        let rangeLabel =
            isMonth
            ? PageDates.format(anchor, "MMMM yyyy", in: zone)
            : "Week of \(PageDates.format(gridStart, "d MMM yyyy", in: zone))"
        let model = Model(
            view: isMonth ? "month" : "week",
            isWeek: !isMonth,
            date: PageDates.day(anchor, in: zone),
            today: todayKey,
            previous: PageDates.day(calendar.date(byAdding: step, value: -1, to: anchor)!, in: zone),
            next: PageDates.day(calendar.date(byAdding: step, value: 1, to: anchor)!, in: zone),
            zone: zone.identifier,
            zoneProblem: zoneProblem,
            rangeLabel: rangeLabel,
            weekdays: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
            weeks: weeks,
            scheduledCount: scheduled,
            sentCount: sent,
            truncated: posts.count >= Self.postLimit,
            limit: Self.postLimit
        )
        var person = PageRenderer.Person(session)
        person.atCalendar = true
        var response = app.pages.page("calendar", model, title: "Calendar", person: person)
        if let chosen {
            let cookies = app.cookies(for: request, context: context)
            response.setCookie(
                Cookie(name: Self.zoneCookie, value: chosen, maxAge: 31_536_000, path: "/app", secure: cookies.secure, httpOnly: true, sameSite: .lax)
            )
        }
        return response
    }
}
