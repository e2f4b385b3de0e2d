import Foundation
import HTTPAPI
import HeraldCore
import HeraldTestSupport
import NIOHTTP1
import PostgresNIO
import Testing
import WebApp

@testable import Storage

/// The back office's main flow in a real headless Chromium (see ``BackOfficeBrowserTests``): an editor creates a
/// campaign from a brief, a worker generates its variants, the editor cannot approve them, an approver rejects one
/// with a comment and approves the others; a failed publication is retried; the report opens; hostile text stays
/// text; a viewer is refused an editor's page; everyone signs out.
@Suite struct BackOfficeFlowBrowserTests {
    static let hostile = #"<script>alert('x')</script>"><img src=x onerror=alert(1)>"#

    @Test func aCampaignGoesFromBriefThroughReviewToItsReport() async throws {
        try await BackOfficeTests.live { server in
            try await BackOfficeTests.person(server, "ed@example.com", role: .editor)
            try await BackOfficeTests.person(server, "ann@example.com", role: .approver)
            try await BackOfficeTests.person(server, "vi@example.com", role: .viewer)
            let token = try await server.token(workspace: "acme", role: .editor)
            let base = "http://127.0.0.1:\(server.port)"
            _ = try await BackOfficeBrowserTests.withBrowser { driver in
                func signIn(_ email: String) async throws {
                    try await driver.open("\(base)/app/login")
                    try await driver.type(email, into: "#email")
                    try await driver.type(BackOfficeTests.password, into: "#password")
                    try await driver.click("main form button[type=submit]")
                    #expect(try await driver.text("main h1", becoming: "Campaigns") == "Campaigns")
                }
                func signOut() async throws {
                    try await driver.click(".signout button")
                    #expect(try await driver.url(becoming: "\(base)/app/login") == "\(base)/app/login")
                }

                // An editor creates the campaign from a brief; its name is hostile.
                try await signIn("ed@example.com")
                try await driver.click("main a.button[href='/app/campaigns/new']")
                #expect(try await driver.text("main h1", becoming: "New campaign") == "New campaign")
                try await driver.type(Self.hostile, into: "#name")
                try await driver.type("trail", into: "#slug")
                try await driver.type("0 9 * * MON-FRI", into: "#schedule_cron")
                try await driver.type("Europe/Berlin", into: "#schedule_tz")
                try await driver.click("input[name='channels[]'][value=x]")
                try await driver.click("input[name=dry_run]")
                try await driver.click("input[name=source][value=brief]")
                try await driver.type("Trailblazer 2 trail shoes", into: "#product")
                try await driver.type("20% off this weekend", into: "#offer")
                try await driver.type("trail runners", into: "#audience")
                try await driver.type("https://example.com/shoes", into: "#link")
                try await driver.type("3", into: "#count")
                try await driver.click("form.create > button[type=submit]")
                #expect(try await driver.url(becoming: "\(base)/app/campaigns/trail") == "\(base)/app/campaigns/trail")
                #expect(try await driver.text("main h1") == Self.hostile, "the name is shown as text")
                #expect(try await driver.count("main img") == 0)

                // A worker runs the generate job; the variants show up pending review.
                try await BackOfficeReviewTests.runGenerateJobs(server.database)
                try await driver.open("\(base)/app/campaigns/trail")
                #expect(try await driver.count("article.variant .state-pending", becoming: 3) == 3)
                // The editor sees the queue but cannot approve.
                try await driver.open("\(base)/app/review")
                #expect(try await driver.text("main h1", becoming: "Review") == "Review")
                #expect(try await driver.count("article.variant") == 3)
                #expect(try await driver.count("button[value=approve]") == 0)
                try await signOut()

                // A viewer cannot reach an editor's page by its address.
                try await signIn("vi@example.com")
                try await driver.open("\(base)/app/campaigns/new")
                #expect(try await driver.text("main h1", becoming: "Not allowed") == "Not allowed")
                try await driver.open("\(base)/app")
                try await signOut()

                // The approver rejects one (a comment is needed) and approves the others.
                try await signIn("ann@example.com")
                #expect(try await driver.text("nav .count").hasPrefix("3"))
                try await driver.click("nav a[href='/app/review']")
                #expect(try await driver.count("button[value=approve]", becoming: 3) == 3)
                try await driver.screenshots("review-queue")
                try await driver.click("button[value=reject]")
                #expect(
                    try await driver.text("article.variant .problem", becoming: "Comment: a rejection needs a comment saying what to change.")
                        == "Comment: a rejection needs a comment saying what to change."
                )
                try await driver.type("Too pushy " + Self.hostile, into: "textarea[aria-invalid=true]")
                try await driver.click("button[value=reject]")
                #expect(try await driver.count("button[value=approve]", becoming: 2) == 2)
                try await driver.click("button[value=approve]")
                #expect(try await driver.count("button[value=approve]", becoming: 1) == 1)
                try await driver.click("button[value=approve]")
                #expect(try await driver.count("article.variant", becoming: 0) == 0)

                // The campaign starts; one of its publications fails with a hostile platform error, and is retried.
                try await driver.open("\(base)/app/campaigns/trail")
                try await driver.click("form[action='/app/campaigns/trail/start'] button")
                #expect(try await driver.count("form[action='/app/campaigns/trail/pause']", becoming: 1) == 1)
                #expect(try await driver.count(".state-approved", becoming: 2) == 2)
                #expect(try await driver.count(".state-rejected") == 1)
                let fired = try await server.send(.POST, "/v1/campaigns/trail/publish", token: token)
                #expect(fired.status == 201, "\(fired.text)")
                try await server.database.client.execute(
                    "UPDATE publications SET status = 'failed', failure_class = 'rejected_content', error = \(Self.hostile)",
                    logger: server.database.logger
                )
                try await driver.open("\(base)/app/campaigns/trail")
                #expect(try await driver.text("td.error", becoming: Self.hostile) == Self.hostile)
                try await driver.click("button.retry")
                #expect(try await driver.count("button.retry", becoming: 0) == 0)
                #expect(try await driver.count(".state-scheduled") >= 1)

                // The report.
                let campaign = try await server.send(.GET, "/v1/campaigns/trail", token: token)
                let variants = EventIngestTests.variants(of: try campaign.json())
                _ = try await server.send(
                    .POST,
                    "/v1/events",
                    token: token,
                    json: EventIngestTests.batch((0..<300).map { _ in UUID() }, variants: variants)
                )
                _ = try await server.send(
                    .POST,
                    "/v1/events",
                    token: token,
                    json: EventIngestTests.batch((0..<20).map { _ in UUID() }, variants: variants, kind: "click")
                )
                #expect(try await server.send(.POST, "/v1/campaigns/trail/analyses", token: token).status == 201)
                try await driver.open("\(base)/app/campaigns/trail")
                #expect(try await driver.count("main img") == 0)
                #expect(!(await driver.alertIsOpen()), "no payload ran")
                try await driver.screenshots("campaign-page")
                try await driver.click("a[href='/app/campaigns/trail/report']")
                #expect(try await driver.url(becoming: "\(base)/app/campaigns/trail/report") == "\(base)/app/campaigns/trail/report")
                #expect(try await driver.count("h1", becoming: 1) == 1)
                #expect(!(await driver.alertIsOpen()), "no payload ran")
                try await driver.open("\(base)/app")
                try await signOut()
            }
        }
    }
}
