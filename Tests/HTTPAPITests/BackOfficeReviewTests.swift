import Foundation
import HTTPAPI
import HeraldCore
import HeraldTestSupport
import Jobs
import NIOHTTP1
import PostgresNIO
import Scheduling
import Storage
import Testing
import WebApp

/// The back office's review queue, campaign page buttons and campaign creation, on a real server over loopback and the
/// real database: who may decide, what a refusal looks like, and that every page escapes what it shows.
@Suite struct BackOfficeReviewTests {
    typealias Browser = BackOfficeTests.Browser

    /// Runs the queued `generate_variants` jobs, as a worker would.
    static func runGenerateJobs(_ database: Database) async throws {
        let queue = JobQueue(database)
        let handler = GenerateVariantsHandler()
        let context = JobContext(database: database, clock: SystemClock(), logger: TestDatabase.logger, worker: "test")
        while let job = try await queue.claim(queues: ["default"], limit: 1, worker: "test", lease: 60, now: Date()).first {
            #expect(job.kind == JobKind.generateVariants.rawValue, "only generate_variants jobs are expected here, not \(job.kind)")
            try await handler.run(job, context: context)
            _ = try await queue.complete([job], worker: "test", now: Date())
        }
    }

    /// The fields of the create form for a campaign generated from a brief.
    static func briefForm(
        csrf: String,
        name: String = "Trail spring",
        slug: String = "trail",
        product: String = "Trailblazer 2 trail shoes"
    )
        -> [(String, String)]
    {
        [
            ("csrf", csrf), ("name", name), ("slug", slug), ("channels[]", "x"), ("dry_run", "true"), ("source", "brief"),
            ("schedule_cron", "0 9 * * MON-FRI"), ("schedule_tz", "Europe/Berlin"), ("product", product), ("offer", "20% off this weekend"),
            ("audience", "trail runners"), ("link", "https://example.com/shoes"), ("hashtags", "trailrunning, ultra"), ("count", "3"),
        ]
    }

    /// Signs `email` in and creates the brief's campaign through the form; runs its job. Returns the browser.
    static func createFromBrief(
        _ server: TestServer,
        as email: String,
        name: String = "Trail spring",
        product: String = "Trailblazer 2 trail shoes"
    )
        async throws -> Browser
    {
        var browser = Browser(server)
        #expect(try await browser.signIn(email).status == 303)
        let form = try await browser.get("/app/campaigns/new")
        #expect(form.status == 200, "\(form.text)")
        let created = try await browser.post("/app/campaigns/new", briefForm(csrf: Browser.csrf(in: form) ?? "", name: name, product: product))
        #expect(created.status == 303, "\(created.text)")
        #expect(created.headers.first(name: "Location") == "/app/campaigns/trail")
        try await runGenerateJobs(server.database)
        return browser
    }

    @Test func approversDecideTheQueueAndEditorsOnlyReadIt() async throws {
        try await BackOfficeTests.live { server in
            try await BackOfficeTests.person(server, "ed@example.com", role: .editor)
            try await BackOfficeTests.person(server, "ann@example.com", role: .approver)
            var editor = try await Self.createFromBrief(server, as: "ed@example.com")
            let page = try await editor.get("/app/campaigns/trail")
            #expect(page.status == 200)
            #expect(page.text.contains("rules/en") && page.text.contains("pending"))
            #expect(page.text.contains("Trailblazer 2 trail shoes"), "the prompt (the brief) is shown")

            // Nothing is approved yet: starting it is refused, saying why.
            let early = try await editor.post("/app/campaigns/trail/start", [("csrf", Browser.csrf(in: page) ?? "")])
            #expect(early.status == 409)
            #expect(early.text.contains("has no approved variant yet"))

            // The editor reads the queue, with no decision form, and a decision posted by URL is refused.
            let queue = try await editor.get("/app/review")
            #expect(queue.status == 200)
            #expect(queue.text.contains("only an approver or an admin approves"))
            #expect(!queue.text.contains("/decision"))
            let review = try await ReviewStore(server.database, workspace: try await WorkspaceStore(server.database).ensure(slug: "acme")).pending()
            #expect(review.count == 3)
            let refused = try await editor.post(
                "/app/variants/\(review[0].variant)/decision",
                [("csrf", Browser.csrf(in: queue) ?? ""), ("decision", "approve")]
            )
            #expect(refused.status == 403)

            var approver = Browser(server)
            #expect(try await approver.signIn("ann@example.com").status == 303)
            let waiting = try await approver.get("/app/review")
            #expect(waiting.text.contains(#"<span class="count">3<span class="vh"> waiting for you</span></span>"#))
            #expect(waiting.text.contains("/app/variants/\(review[0].variant)/decision"))
            let csrf = Browser.csrf(in: waiting) ?? ""
            // A rejection without a comment is refused on the page, naming the field, keeping the person on the queue.
            let bare = try await approver.post(
                "/app/variants/\(review[0].variant)/decision",
                [("csrf", csrf), ("decision", "reject"), ("comment", "  "), ("from", "review")]
            )
            #expect(bare.status == 422)
            #expect(bare.text.contains(#"role="alert">Comment: a rejection needs a comment saying what to change.</p>"#))
            #expect(bare.text.contains(#"aria-invalid="true""#))
            // From the campaign page, the refusal is shown there, beside the variant's comment field.
            let fromCampaign = try await approver.post(
                "/app/variants/\(review[0].variant)/decision",
                [("csrf", csrf), ("decision", "reject"), ("comment", ""), ("from", "campaign")]
            )
            #expect(fromCampaign.status == 422)
            #expect(fromCampaign.text.contains(#"<h2 id="variants-title">Variants</h2>"#))
            #expect(fromCampaign.text.contains(#"id="problem-\#(review[0].variant)" role="alert">Comment: a rejection needs a comment"#))
            let rejected = try await approver.post(
                "/app/variants/\(review[0].variant)/decision",
                [("csrf", csrf), ("decision", "reject"), ("comment", "Too pushy <b>here</b>"), ("from", "review")]
            )
            #expect(rejected.status == 303)
            #expect(rejected.headers.first(name: "Location") == "/app/review")
            for variant in review.dropFirst() {
                let approved = try await approver.post(
                    "/app/variants/\(variant.variant)/decision",
                    [("csrf", csrf), ("decision", "approve"), ("from", "campaign")]
                )
                #expect(approved.status == 303)
                #expect(approved.headers.first(name: "Location") == "/app/campaigns/trail")
            }
            #expect(try await approver.get("/app/review").text.contains("Nothing is waiting for you."))
            let decided = try await approver.get("/app/campaigns/trail")
            #expect(decided.text.contains("Approved by ann@example.com"))
            #expect(decided.text.contains("Rejected by ann@example.com"))
            #expect(decided.text.contains("Too pushy &lt;b&gt;here&lt;/b&gt;"))
            #expect(!decided.text.contains("<b>here"))
            // Every decision is in the audit log.
            #expect(try await server.count("SELECT count(*)::int FROM audit_log WHERE action LIKE 'variant.%'") == 3)
        }
    }

    @Test func theCreateFormNamesEveryProblemAndKeepsWhatWasTyped() async throws {
        try await BackOfficeTests.live { server in
            try await BackOfficeTests.person(server, "ed@example.com", role: .editor)
            var browser = Browser(server)
            #expect(try await browser.signIn("ed@example.com").status == 303)
            let form = try await browser.get("/app/campaigns/new")
            let csrf = Browser.csrf(in: form) ?? ""
            let hostile = BackOfficeTests.hostile
            let refused = try await browser.post(
                "/app/campaigns/new",
                [
                    ("csrf", csrf), ("name", hostile), ("slug", "ok-slug"), ("source", "texts"), ("variants", ""),
                    ("schedule_cron", "0 9 * *"), ("schedule_tz", "Europe/Berlin"), ("destination", #""><img src=x onerror=alert(1)>"#),
                ]
            )
            #expect(refused.status == 422)
            #expect(refused.text.contains(##"<a href="#variants">Variant texts</a>: needs at least one line"##), "\(refused.text)")
            #expect(refused.text.contains(##"<a href="#channels">Channels</a>: choose at least one"##))
            #expect(refused.text.contains(#"id="variants-problem""#))
            // What was typed stays, escaped.
            #expect(refused.text.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;") || refused.text.contains("&lt;script&gt;alert("))
            #expect(!refused.text.contains("<script>") && !refused.text.contains("<img src=x"))
            #expect(refused.text.contains(#"value="0 9 * *""#))

            // One problem at a time for the spec: the schedule is named once the rest is right.
            let cron = try await browser.post(
                "/app/campaigns/new",
                [
                    ("csrf", csrf), ("name", "Spring"), ("channels[]", "x"), ("source", "texts"), ("variants", "One\nTwo"),
                    ("schedule_cron", "0 9 * *"), ("schedule_tz", "Europe/Berlin"),
                ]
            )
            #expect(cron.status == 422)
            #expect(cron.text.contains(##"<a href="#schedule_cron">Schedule</a>"##), "\(cron.text)")
            let brief = try await browser.post(
                "/app/campaigns/new",
                [("csrf", csrf), ("name", "Spring"), ("channels[]", "x"), ("source", "brief"), ("count", "99")]
            )
            #expect(brief.text.contains(##"<a href="#product">Product</a>: is needed"##))
            #expect(brief.text.contains(##"<a href="#count">Variants per channel</a>"##))

            let created = try await browser.post(
                "/app/campaigns/new",
                [("csrf", csrf), ("name", "Spring"), ("channels[]", "x"), ("source", "texts"), ("variants", "One <b>\nTwo"), ("dry_run", "true")]
            )
            #expect(created.status == 303, "\(created.text)")
            let page = try await browser.get("/app/campaigns/spring")
            #expect(page.text.contains("One &lt;b&gt;"))
            // Written by hand by an editor: approved as created (the workspace does not review hand-written variants).
            #expect(page.text.contains(#"<span class="state state-approved">approved</span>"#))
            #expect(page.text.contains(#"<dd class="author">ed@example.com</dd>"#))
        }
    }

    @Test func aFailedPublicationIsRetriedFromTheCampaignPageOnce() async throws {
        try await BackOfficeTests.live { server in
            try await BackOfficeTests.person(server, "ed@example.com", role: .editor)
            try await BackOfficeTests.person(server, "vi@example.com", role: .viewer)
            let token = try await server.token(workspace: "acme", role: .editor)
            let failed = try await PublicationRetryAPITests().failedPublication(server, token: token)
            let id = failed.id.lowercased()
            var browser = Browser(server)
            #expect(try await browser.signIn("ed@example.com").status == 303)
            let page = try await browser.get("/app/campaigns/spring")
            #expect(page.text.contains("Status is a duplicate"))
            #expect(page.text.contains("/app/publications/\(id)/retry"))
            let csrf = Browser.csrf(in: page) ?? ""

            var viewer = Browser(server)
            #expect(try await viewer.signIn("vi@example.com").status == 303)
            let viewerPage = try await viewer.get("/app/campaigns/spring")
            #expect(!viewerPage.text.contains("/retry"))
            let viewerCSRF = Browser.csrf(in: viewerPage) ?? ""
            #expect(try await viewer.post("/app/publications/\(id)/retry", [("csrf", viewerCSRF)]).status == 403)
            #expect(try await viewer.get("/app/campaigns/new").status == 403)
            #expect(try await viewer.post("/app/campaigns/new", [("csrf", viewerCSRF), ("name", "x")]).status == 403)
            #expect(try await viewer.post("/app/autopilot/\(UUID())/apply", [("csrf", viewerCSRF)]).status == 403)
            // Without its CSRF token, the editor's own retry is refused.
            #expect(try await browser.post("/app/publications/\(id)/retry", []).status == 403)

            let retried = try await browser.post("/app/publications/\(id)/retry", [("csrf", csrf)])
            #expect(retried.status == 303)
            let after = try await browser.get("/app/campaigns/spring")
            #expect(!after.text.contains("/app/publications/\(id)/retry"))
            // Not retryable any more: refused with the reason, on the page.
            let again = try await browser.post("/app/publications/\(id)/retry", [("csrf", csrf)])
            #expect(again.status == 409)
            #expect(again.text.contains(#"id="publication-problem" role="alert">Not sent again: publication \#(id) is scheduled and will go out"#))
        }
    }

    @Test func theLatestReportOpensFromTheCampaignPage() async throws {
        try await BackOfficeTests.live { server in
            try await BackOfficeTests.person(server, "vi@example.com", role: .viewer)
            let token = try await server.token(workspace: "acme", role: .editor)
            try await ReportServingTests().analyzedCampaign(server, token: token)
            var browser = Browser(server)
            #expect(try await browser.signIn("vi@example.com").status == 303)
            let page = try await browser.get("/app/campaigns/spring")
            #expect(page.text.contains(#"<a href="/app/campaigns/spring/report">The latest report</a>"#))
            let report = try await browser.get("/app/campaigns/spring/report")
            #expect(report.status == 200)
            #expect(report.headers.first(name: "Content-Security-Policy")?.hasPrefix("default-src 'none'; style-src 'unsafe-inline'") == true)
            #expect(!report.text.contains("<script>alert"))
            #expect(try await browser.get("/app/campaigns/nope/report").status == 404)
        }
    }

    @Test func underTheTwoPersonRuleTheQueueKeepsAVariantForTheSecondApprover() async throws {
        try await BackOfficeTests.live { server in
            try await BackOfficeTests.person(server, "ed@example.com", role: .editor)
            try await BackOfficeTests.person(server, "ann@example.com", role: .approver)
            try await BackOfficeTests.person(server, "bob@example.com", role: .admin)
            let workspace = try await WorkspaceStore(server.database).ensure(slug: "acme")
            try await ReviewStore(server.database, workspace: workspace).update(.init(approvalsRequired: 2), actor: .cli(login: "test"))
            _ = try await Self.createFromBrief(server, as: "ed@example.com")
            let first = try #require(try await ReviewStore(server.database, workspace: workspace).pending().first)
            var ann = Browser(server)
            #expect(try await ann.signIn("ann@example.com").status == 303)
            let queue = try await ann.get("/app/review")
            #expect(queue.text.contains("needs 2 approvals by different people"))
            let approved = try await ann.post(
                "/app/variants/\(first.variant)/decision",
                [("csrf", Browser.csrf(in: queue) ?? ""), ("decision", "approve")]
            )
            #expect(approved.status == 303)
            // Ann has done her part: it leaves her queue, and stays in Bob's with one approval of two.
            let after = try await ann.get("/app/review")
            #expect(!after.text.contains("/app/variants/\(first.variant)/decision"))
            #expect(after.text.contains(#"<span class="count">2<span class="vh">"#))
            var bob = Browser(server)
            #expect(try await bob.signIn("bob@example.com").status == 303)
            let bobs = try await bob.get("/app/review")
            #expect(bobs.text.contains("/app/variants/\(first.variant)/decision"))
            #expect(bobs.text.contains("approvals 1 of 2"))
            #expect(bobs.text.contains(#"<span class="count">3<span class="vh">"#))
        }
    }

    @Test func autopilotActionsAreAppliedAndUndoneFromTheCampaignPage() async throws {
        try await BackOfficeTests.live { server in
            try await BackOfficeTests.person(server, "ed@example.com", role: .editor)
            try await BackOfficeTests.person(server, "vi@example.com", role: .viewer)
            let workspace = try await WorkspaceStore(server.database).ensure(slug: "acme")
            let token = try await server.token(workspace: "acme", role: .editor)
            _ = try await server.createCampaign(token: token)
            #expect(
                try await server.send(
                    .PUT,
                    "/v1/campaigns/spring/autopilot",
                    token: token,
                    json: #"{"mode": "suggest", "rails": {"minimum_sample": 500, "challenger_budget": 0}}"#
                ).status == 200
            )
            let campaign = try await CampaignStore(server.database, workspace: workspace).find("spring")
            let start = Date(timeIntervalSince1970: 1_772_323_200)
            let events = TestEvents.engagement(campaign.variants.map(\.id), rates: [0.05, 0.025], from: start)
            _ = try await EventIngestor(server.database, workspace: workspace).ingest(events)
            let now = start.addingTimeInterval(4 * 86_400)
            let analysis = try await CampaignAnalysis(database: server.database, workspace: workspace).analyze(campaign, now: now)
            let outcome = try await AutopilotRunner(database: server.database, workspace: workspace, logger: TestDatabase.logger)
                .run(after: analysis, now: now)
            let action = try #require(outcome.recorded.first).id.uuidString.lowercased()

            var viewer = Browser(server)
            #expect(try await viewer.signIn("vi@example.com").status == 303)
            let seen = try await viewer.get("/app/campaigns/spring")
            #expect(seen.text.contains("Mode: <span class=\"state\">suggest</span>"))
            #expect(!seen.text.contains("/app/autopilot/\(action)/apply"))
            #expect(try await viewer.post("/app/autopilot/\(action)/apply", [("csrf", Browser.csrf(in: seen) ?? "")]).status == 403)

            var editor = Browser(server)
            #expect(try await editor.signIn("ed@example.com").status == 303)
            let page = try await editor.get("/app/campaigns/spring")
            let csrf = Browser.csrf(in: page) ?? ""
            #expect(page.text.contains("/app/autopilot/\(action)/apply") && page.text.contains("/app/autopilot/\(action)/dismiss"))
            #expect(try await editor.post("/app/autopilot/\(action)/apply", [("csrf", csrf)]).status == 303)
            let applied = try await editor.get("/app/campaigns/spring")
            #expect(applied.text.contains("Applied by user:ed@example.com"))
            #expect(applied.text.contains("/app/autopilot/\(action)/undo"))
            #expect(try await editor.post("/app/autopilot/\(action)/undo", [("csrf", csrf)]).status == 303)
            let undone = try await editor.get("/app/campaigns/spring")
            #expect(!undone.text.contains("/app/autopilot/\(action)/"))
            // Undone already: refused, with the reason on the page.
            let again = try await editor.post("/app/autopilot/\(action)/undo", [("csrf", csrf)])
            #expect(again.status == 409)
            #expect(again.text.contains("Not done: "))
            #expect(try await editor.post("/app/autopilot/\(action)/launch", [("csrf", csrf)]).status == 404)
        }
    }
}
