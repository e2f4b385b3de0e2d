import Connectors
import Foundation
import HTTPAPI
import HeraldCore
import HeraldTestSupport
import NIOHTTP1
import PostgresNIO
import Testing
import WebApp

@testable import Storage

/// The schedule editor and the calendar of the back office, on a real server over loopback and the real database.
@Suite struct BackOfficeCalendarTests {
    typealias Browser = BackOfficeTests.Browser

    /// A campaign with a hostile name and a daily schedule in Berlin, created through the API; answers its slug.
    static func campaign(
        _ server: TestServer,
        slug: String = "hostile",
        schedule: String = #", "schedule": {"cron": "0 9 * * *", "tz": "Europe/Berlin"}"#
    ) async throws {
        let token = try await server.token(workspace: "acme", role: .editor)
        let created = try await server.send(
            .POST,
            "/v1/campaigns",
            token: token,
            json:
                #"{"name": "\#(BackOfficeTests.hostile)", "slug": "\#(slug)", "channels": ["mastodon"], "dry_run": true\#(schedule), "variants": [{"text": "Plain"}, {"text": "Other"}]}"#
        )
        #expect(created.status == 201, "\(created.text)")
    }

    static func expectInert(_ page: TestServer.Reply, _ path: String) {
        #expect(!page.text.contains("<script"), "\(path)")
        #expect(!page.text.contains("<img src=x"), "\(path)")
        #expect(page.text.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), "\(path)")
    }

    @Test func anEditorEditsTheScheduleAndSeesTheDaylightSavingNote() async throws {
        try await BackOfficeTests.live { server in
            try await BackOfficeTests.person(server, "ed@example.com", role: .editor)
            try await Self.campaign(server)
            var editor = Browser(server)
            #expect(try await editor.signIn("ed@example.com").status == 303)
            let campaignPage = try await editor.get("/app/campaigns/hostile")
            #expect(campaignPage.text.contains(#"href="/app/campaigns/hostile/schedule""#))

            let page = try await editor.get("/app/campaigns/hostile/schedule")
            #expect(page.status == 200)
            #expect(page.text.contains(#"value="0 9 * * *""#))
            #expect(page.text.contains(#"value="Europe/Berlin""#))
            Self.expectInert(page, "schedule")
            let csrf = Browser.csrf(in: page) ?? ""

            // A bad minute is named, and what was typed stays in the form.
            let bad = try await editor.post(
                "/app/campaigns/hostile/schedule",
                [("csrf", csrf), ("cron", "61 2 * * *"), ("tz", "Europe/Berlin"), ("from", "tomorrow"), ("until", ""), ("intent", "save")]
            )
            #expect(bad.status == 400)
            #expect(bad.text.contains("Cron: minute &quot;61&quot;: 61 is out of range 0-59."), "\(bad.text)")
            #expect(bad.text.contains(#"value="61 2 * * *""#))
            #expect(bad.text.contains(#"value="tomorrow""#))
            #expect(bad.text.contains("Active from: enter a date and time"))
            #expect(bad.text.contains(#"aria-invalid="true""#))
            let badZone = try await editor.post(
                "/app/campaigns/hostile/schedule",
                [("csrf", csrf), ("cron", "30 2 * * *"), ("tz", "Mars/Olympus"), ("intent", "save")]
            )
            #expect(badZone.status == 400)
            #expect(badZone.text.contains("Time zone: &quot;Mars/Olympus&quot; is not an IANA time zone"), "\(badZone.text)")
            #expect(try await server.count("SELECT count(*)::int FROM schedules WHERE rule = '0 9 * * *'") == 1)

            // A preview saves nothing; the fires over the spring change carry the note.
            let form = [("csrf", csrf), ("cron", "30 2 * * *"), ("tz", "Europe/Berlin"), ("from", "2027-03-26T00:00"), ("until", "")]
            let preview = try await editor.post("/app/campaigns/hostile/schedule", form + [("intent", "preview")])
            #expect(preview.status == 200)
            #expect(preview.text.contains("Clocks go forward from 02:00 to 03:00"), "\(preview.text)")
            #expect(preview.text.contains(#"<time datetime="2027-03-28T03:00:00+02:00">"#), "\(preview.text)")
            #expect(try await server.count("SELECT count(*)::int FROM schedules WHERE rule = '30 2 * * *'") == 0)

            let saved = try await editor.post("/app/campaigns/hostile/schedule", form + [("intent", "save")])
            #expect(saved.status == 303)
            #expect(saved.headers.first(name: "Location") == "/app/campaigns/hostile/schedule?saved=1")
            #expect(
                try await server.count(
                    "SELECT count(*)::int FROM schedules WHERE name = 'campaign:hostile' AND rule = '30 2 * * *' AND tz = 'Europe/Berlin' AND active_from = '2027-03-25T23:00:00Z' AND next_fire_at = '2027-03-26T01:30:00Z'"
                ) == 1
            )
            #expect(try await server.count("SELECT count(*)::int FROM campaigns WHERE slug = 'hostile' AND schedule->>'cron' = '30 2 * * *'") == 1)
            #expect(
                try await server.count("SELECT count(*)::int FROM audit_log WHERE action = 'schedule.edit' AND actor_name = 'ed@example.com'") == 1
            )
            let after = try await editor.get("/app/campaigns/hostile/schedule?saved=1")
            #expect(after.text.contains("Saved."))
            #expect(after.text.contains(#"value="2027-03-26T00:00""#))
            #expect(after.text.contains("Clocks go forward from 02:00 to 03:00"))
        }
    }

    @Test func aViewerCannotOpenOrPostTheScheduleForm() async throws {
        try await BackOfficeTests.live { server in
            try await BackOfficeTests.person(server, "viv@example.com", role: .viewer)
            try await Self.campaign(server)
            var viewer = Browser(server)
            #expect(try await viewer.signIn("viv@example.com").status == 303)
            #expect(try await viewer.get("/app/campaigns/hostile/schedule").status == 403)
            let page = try await viewer.get("/app/campaigns/hostile")
            let refused = try await viewer.post(
                "/app/campaigns/hostile/schedule",
                [("csrf", Browser.csrf(in: page) ?? ""), ("cron", "0 3 * * *"), ("tz", "UTC"), ("intent", "save")]
            )
            #expect(refused.status == 403)
            #expect(try await server.count("SELECT count(*)::int FROM schedules WHERE rule = '0 3 * * *'") == 0)
        }
    }

    @Test func theCalendarShowsScheduledFiresAndPostsInTheViewersZone() async throws {
        try await BackOfficeTests.live { server in
            try await BackOfficeTests.person(server, "viv@example.com", role: .viewer)
            try await Self.campaign(server)
            // A publication sent a minute ago by a campaign with no schedule.
            try await Self.campaign(server, slug: "sent", schedule: "")
            let sentAt = Date().addingTimeInterval(-60)
            try await server.database.client.execute(
                """
                INSERT INTO publications (workspace_id, campaign_id, variant_id, channel, scheduled_at, published_at, status, tracking_code, idempotency_key)
                SELECT c.workspace_id, c.id, v.id, 'mastodon', \(sentAt), \(sentAt), 'published', 'calendar-sent', 'calendar-sent'
                FROM campaigns c JOIN variants v ON v.campaign_id = c.id AND v.key = 'A' WHERE c.slug = 'sent'
                """,
                logger: server.database.logger
            )
            var viewer = Browser(server)
            #expect(try await viewer.signIn("viv@example.com").status == 303)

            // The week of tomorrow always has a coming fire, whatever the day and hour the test runs.
            let newYork = TimeZone(identifier: "America/New_York")!
            let day = DateFormatter()
            day.timeZone = newYork
            day.dateFormat = "yyyy-MM-dd"
            let tomorrow = day.string(from: Date().addingTimeInterval(86_400))
            let week = try await viewer.get("/app/calendar?view=week&date=\(tomorrow)&tz=America/New_York")
            #expect(week.status == 200)
            #expect(week.text.contains("times in America/New_York"))
            #expect(viewer.cookies["herald_tz"] == "America/New_York")
            // 09:00 in Berlin is 03:00 in New York, every day of the week from today on.
            #expect(week.text.range(of: #"<time datetime="[0-9-]+T03:00:00-05:00">03:00</time>"#, options: .regularExpression) != nil, "\(week.text)")
            Self.expectInert(week, "week")

            // The zone is remembered; the month view shows the same posts.
            let month = try await viewer.get("/app/calendar?view=month")
            #expect(month.status == 200)
            #expect(month.text.contains("times in America/New_York"))
            #expect(month.text.contains(#"aria-current="date""#))
            #expect(month.text.contains(#"class="state state-published">published</span>"#), "\(month.text)")
            Self.expectInert(month, "month")
            // Previous and next move by a month, keeping the view.
            #expect(month.text.contains(#"view=month&amp;date="#))

            let wrong = try await viewer.get("/app/calendar?view=week&tz=Nowhere/Else&date=2026-13-45")
            #expect(wrong.status == 200)
            #expect(wrong.text.contains("&quot;Nowhere/Else&quot; is not an IANA time zone"))
            #expect(wrong.text.contains("times in America/New_York"))
        }
    }

    @Test func contactsShowPersonalDataToEditorsOnlyAndStayInert() async throws {
        try await BackOfficeTests.live { server in
            try await BackOfficeTests.person(server, "viv@example.com", role: .viewer)
            try await BackOfficeTests.person(server, "ed@example.com", role: .editor)
            let workspace = try await WorkspaceStore(server.database).ensure(slug: "acme")
            let list = try await ContactListStore(server.database).create(workspace: workspace, name: "Runners")
            try await server.database.client.execute(
                """
                INSERT INTO contacts (workspace_id, email, name, consent)
                SELECT \(workspace.uuid), 'runner' || n || '@example.com', CASE WHEN n = 1 THEN \(BackOfficeTests.hostile) ELSE 'Runner ' || n END,
                       CASE WHEN n % 2 = 0 THEN 'unsubscribed' ELSE 'subscribed' END
                FROM generate_series(1, 60) AS n
                """,
                logger: server.database.logger
            )
            try await server.database.client.execute(
                """
                INSERT INTO contact_list_members (list_id, contact_id)
                SELECT \(list.id), id FROM contacts WHERE email IN ('runner1@example.com', 'runner3@example.com')
                """,
                logger: server.database.logger
            )

            var viewer = Browser(server)
            #expect(try await viewer.signIn("viv@example.com").status == 303)
            let counts = try await viewer.get("/app/contacts?address=runner1")
            #expect(counts.status == 200)
            #expect(counts.text.contains("60 contacts by consent"))
            #expect(counts.text.contains("subscribed: <strong>30</strong>"))
            #expect(!counts.text.contains("runner1@example.com"))
            #expect(!counts.text.contains("Runner 2"))
            let viewerLists = try await viewer.get("/app/lists")
            #expect(viewerLists.text.contains("Runners"))
            #expect(!viewerLists.text.contains("/app/contacts?list="))
            #expect(try await viewer.get("/app/audit").status == 403)

            var editor = Browser(server)
            #expect(try await editor.signIn("ed@example.com").status == 303)
            let first = try await editor.get("/app/contacts")
            #expect(first.status == 200)
            #expect(first.text.components(separatedBy: "@example.com</td>").count - 1 == 50)
            #expect(first.text.contains("Next page"))
            #expect(!first.text.contains("<script"))
            let search = try await editor.get("/app/contacts?address=RUNNER1&consent=subscribed")
            // runner1, runner11, ..., runner19 (odd ones are subscribed).
            #expect(search.text.components(separatedBy: "@example.com</td>").count - 1 == 6, "\(search.text)")
            Self.expectInert(search, "search")
            let members = try await editor.get("/app/contacts?list=\(list.id.uuidString.lowercased())")
            #expect(members.text.components(separatedBy: "@example.com</td>").count - 1 == 2)
            let lists = try await editor.get("/app/lists")
            #expect(lists.text.contains("/app/contacts?list=\(list.id.uuidString.lowercased())"))
        }
    }

    @Test func theAuditLogAndAccountsPagesShowWhatHappened() async throws {
        try await BackOfficeTests.live { server in
            try await BackOfficeTests.person(server, "ann@example.com", role: .approver)
            let workspace = try await WorkspaceStore(server.database).ensure(slug: "acme")
            let log = AuditLog(server.database, workspace: workspace)
            let actor = AuditActor(kind: .system, id: "test", name: BackOfficeTests.hostile, role: .admin)
            for index in 0..<55 {
                try await log.record(
                    "test.step",
                    subjectKind: "campaign",
                    subjectID: "step-\(index)",
                    details: ["note": .string(BackOfficeTests.hostile)],
                    actor: actor
                )
            }
            var approver = Browser(server)
            #expect(try await approver.signIn("ann@example.com").status == 303)
            let newest = try await approver.get("/app/audit")
            #expect(newest.status == 200)
            #expect(newest.text.contains("campaign step-54"))
            #expect(!newest.text.contains("campaign step-4<"))
            Self.expectInert(newest, "audit")
            let link = try #require(newest.text.range(of: #"/app/audit\?before=[0-9]+"#, options: .regularExpression))
            let older = try await approver.get(String(newest.text[link]))
            #expect(older.text.contains("campaign step-4<"))
            #expect(older.text.contains("campaign step-0<"))
            #expect(!older.text.contains("campaign step-54"))

            #expect(try await approver.get("/app/accounts").text.contains("No account is connected yet."))
            let secrets = try #require(server.settings.secrets)
            let store = AccountStore(server.database, workspace: workspace, secrets: secrets)
            let expiry = try Timestamp.parse("2027-01-02T03:04:00Z")
            let account = try await store.connect(
                name: "brand-x",
                kind: .x,
                baseURL: "https://api.x.com",
                handle: "@brand",
                credentials: Credentials(accessToken: "access-token-never-shown", refreshToken: "refresh-token-never-shown", expiresAt: expiry),
                followers: nil
            )
            try await store.setHealth(account.id, .needsReconnect, reason: BackOfficeTests.hostile, until: nil)
            let accounts = try await approver.get("/app/accounts")
            #expect(accounts.status == 200)
            #expect(accounts.text.contains("brand-x"))
            #expect(accounts.text.contains("Sat 2 Jan 2027, 03:04 (+00:00)"), "\(accounts.text)")
            #expect(accounts.text.contains("needs_reconnect"))
            #expect(!accounts.text.contains("token-never-shown"))
            Self.expectInert(accounts, "accounts")
        }
    }
}
