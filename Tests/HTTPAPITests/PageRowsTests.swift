import HTTPAPI
import Mustache
import Testing

@testable import WebApp

/// The page rows that name their fields for the templates (``PageRows``) answer every field they have with its value,
/// as swift-mustache's reflection would, and nothing for a name they do not have (so an enclosing model is asked).
struct PageRowsTests {
    typealias Calendar = CalendarPages<APIContext>.Model
    typealias Campaign = CampaignPages<APIContext>.CampaignModel

    /// A value with an optional's wrapping removed (reflection shows `Optional("x")`, a lookup gives `"x"`).
    static func unwrapped(_ value: Any?) -> String {
        guard let value else { return "nil" }
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional { return mirror.children.first.map { unwrapped($0.value) } ?? "nil" }
        return "\(value)"
    }

    static func expectEveryField(of row: some MustacheParent, sourceLocation: SourceLocation = #_sourceLocation) {
        let fields = Mirror(reflecting: row).children
        #expect(!fields.isEmpty, sourceLocation: sourceLocation)
        for field in fields {
            guard let label = field.label else { continue }
            #expect(unwrapped(row.child(named: label)) == unwrapped(field.value), "field \(label)", sourceLocation: sourceLocation)
        }
        #expect(row.child(named: "csrf") == nil, sourceLocation: sourceLocation)
    }

    @Test func calendarRowsAnswerEveryField() {
        let item = Calendar.Item(
            iso: "2026-12-01T09:00:00Z",
            time: "09:00",
            state: "scheduled",
            kind: "post",
            slug: "spring",
            campaign: "Spring",
            channel: "mastodon",
            account: "@shop"
        )
        var bare = item
        bare.account = nil
        let day = Calendar.Day(iso: "2026-12-01", label: "Tue 1 Dec", outside: false, isToday: true, items: [item, bare], hasItems: true, more: 3)
        Self.expectEveryField(of: item)
        Self.expectEveryField(of: bare)
        Self.expectEveryField(of: day)
        Self.expectEveryField(of: Calendar.Week(days: [day]))
    }

    @Test func campaignRowsAnswerEveryField() {
        Self.expectEveryField(
            of: Campaign.Publication(
                id: "p1",
                iso: "2026-12-01T09:00:00Z",
                scheduled: "Tue 1 Dec 2026, 09:00 (+00:00)",
                variant: "A",
                channel: "x",
                state: "failed",
                error: "429",
                canRetry: true
            )
        )
        Self.expectEveryField(
            of: Campaign.AutopilotAction(
                id: "a1",
                kind: "set split",
                state: "applied",
                reason: "B leads",
                iso: "2026-12-01T09:00:00Z",
                when: "Tue 1 Dec 2026, 09:00 (+00:00)",
                decided: "Applied by autopilot",
                pending: false,
                applied: true,
                canAct: true
            )
        )
    }

    /// A row inside a section still finds what only the page has (the form's CSRF token) through the enclosing model.
    @Test func aRowsMissingNameIsFoundInTheEnclosingModel() throws {
        let template = try MustacheTemplate(string: "{{#rows}}{{iso}} {{csrf}};{{/rows}}")
        struct Page {
            var csrf: String
            var rows: [Calendar.Item]
        }
        let item = Calendar.Item(iso: "i", time: "t", state: "s", kind: "k", slug: "g", campaign: "c", channel: "h", account: nil)
        #expect(template.render(Page(csrf: "token", rows: [item, item])) == "i token;i token;")
    }
}
