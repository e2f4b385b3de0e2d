import Foundation
import HTTPAPI
import HeraldCore
import HeraldTestSupport
import Logging
import NIOHTTP1
import PostgresNIO
import Storage
import Testing
import WebApp

/// The web back office at `/app` on a real server over loopback and the real database: sign-in, cookies, CSRF, rate
/// limits, expiry, sign-out, invitations, escaping, security headers and roles.
@Suite struct BackOfficeTests {
    static let password = "correct horse battery"
    static let hostile = "<script>alert('x')</script><img src=x onerror=alert(1)>"

    /// A browser: keeps the cookies the server sets and reads each form's CSRF token.
    struct Browser {
        let server: TestServer
        var cookies: [String: String] = [:]
        /// The attributes of each cookie as last set (`HttpOnly`, `SameSite=Lax`...).
        var attributes: [String: [String]] = [:]

        init(_ server: TestServer) { self.server = server }

        mutating func get(_ path: String, headers: [(String, String)] = []) async throws -> TestServer.Reply {
            let reply = try await server.send(.GET, path, headers: headers + cookieHeader)
            keep(reply)
            return reply
        }

        mutating func post(_ path: String, _ form: [(String, String)], headers: [(String, String)] = []) async throws -> TestServer.Reply {
            let body = form.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
            let reply = try await server.send(
                .POST,
                path,
                body: Array(body.utf8),
                headers: headers + cookieHeader + [("Content-Type", "application/x-www-form-urlencoded")]
            )
            keep(reply)
            return reply
        }

        var cookieHeader: [(String, String)] {
            cookies.isEmpty ? [] : [("Cookie", cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))]
        }

        mutating func keep(_ reply: TestServer.Reply) {
            for line in reply.headers["Set-Cookie"] {
                let parts = line.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
                guard let pair = parts.first, let equals = pair.firstIndex(of: "=") else { continue }
                let name = String(pair[..<equals])
                let value = String(pair[pair.index(after: equals)...])
                attributes[name] = Array(parts.dropFirst())
                if value.isEmpty || parts.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
            }
        }

        static func encode(_ text: String) -> String {
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
        }

        /// The value of the first hidden `csrf` field of a page.
        static func csrf(in page: TestServer.Reply) -> String? {
            guard let range = page.text.range(of: #"name="csrf" value="([A-Za-z0-9_-]+)""#, options: .regularExpression) else { return nil }
            return String(page.text[range].dropFirst(#"name="csrf" value=""#.count).dropLast())
        }

        /// Opens the sign-in page and signs in; returns the answer to the form.
        mutating func signIn(_ email: String, _ password: String = BackOfficeTests.password) async throws -> TestServer.Reply {
            let page = try await get("/app/login")
            return try await post("/app/login", [("csrf", Self.csrf(in: page) ?? ""), ("email", email), ("password", password)])
        }
    }

    /// A live server whose passwords are cheap to hash (bcrypt cost 4) and whose accounts lock after 3 failures.
    static func live(
        logger: Logger = TestDatabase.logger,
        trustProxy: Bool = false,
        perAddress: Int = 50,
        _ body: (TestServer) async throws -> Void
    ) async throws {
        try await TestServer.live(
            logger: logger,
            configure: { settings in
                settings.web.passwordCost = 4
                settings.web.signInLimit = SignInLimit(perAccount: 3, perAddress: perAddress, window: .seconds(900))
                if trustProxy { settings.trustedProxies = ["127.0.0.1"] }
            },
            body
        )
    }

    /// A person of workspace `workspace` with ``password``.
    @discardableResult
    static func person(_ server: TestServer, _ email: String, role: UserRole, workspace: String = "acme") async throws -> StoredUser {
        let id = try await WorkspaceStore(server.database).ensure(slug: workspace)
        return try await UserStore(server.database).create(
            workspace: id,
            email: email,
            role: role,
            passwordHash: Passwords.hash(password, cost: 4)
        )
    }

    @Test func signingInSetsASessionCookieAndShowsTheCampaigns() async throws {
        try await Self.live { server in
            try await Self.person(server, "ada@example.com", role: .editor)
            let token = try await server.token(workspace: "acme", role: .editor)
            _ = try await server.createCampaign(token: token, slug: "spring")
            var browser = Browser(server)

            let away = try await browser.get("/app")
            #expect(away.status == 303)
            #expect(away.headers.first(name: "Location") == "/app/login")

            let login = try await browser.get("/app/login")
            #expect(login.status == 200)
            #expect(login.text.contains(#"<label for="email">Email</label>"#))
            #expect(login.text.contains(#"<main id="main">"#))
            #expect(
                login.headers.first(name: "Content-Security-Policy")
                    == "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
            )
            #expect(login.headers.first(name: "X-Content-Type-Options") == "nosniff")
            #expect(login.headers.first(name: "Referrer-Policy") == "no-referrer")
            #expect(!login.text.contains("<script"), "no inline script")

            let signedIn = try await browser.post(
                "/app/login",
                [("csrf", Browser.csrf(in: login) ?? ""), ("email", " Ada@Example.com "), ("password", Self.password)]
            )
            #expect(signedIn.status == 303, "\(signedIn.text)")
            #expect(signedIn.headers.first(name: "Location") == "/app")
            let attributes = try #require(browser.attributes["herald_session"])
            #expect(attributes.contains("HttpOnly"))
            #expect(attributes.contains("SameSite=Lax"))
            #expect(attributes.contains("Path=/app"))
            #expect(!attributes.contains("Secure"), "plain HTTP from no trusted proxy")
            // Only a hash of the cookie's secret is stored.
            let secret = try #require(browser.cookies["herald_session"])
            #expect(try await server.count("SELECT count(*)::int FROM web_sessions WHERE token_hash = sha256(\(Data(secret.utf8)))") == 1)

            let home = try await browser.get("/app")
            #expect(home.status == 200)
            #expect(home.text.contains(#"<a href="/app/campaigns/spring">Spring spring</a>"#))
            #expect(home.text.contains("x, email"))
            #expect(home.text.contains("ada@example.com · editor · acme"))
            let css = try await browser.get("/app/static/app.css")
            #expect(css.status == 200)
            #expect(css.headers.first(name: "Content-Type") == "text/css; charset=utf-8")
            #expect(css.text.contains(":focus-visible"))
            #expect(css.text.contains("@media (max-width: 40rem)"))
        }
    }

    @Test func anUnknownEmailAndAWrongPasswordGetTheSameAnswer() async throws {
        try await Self.live { server in
            try await Self.person(server, "ada@example.com", role: .viewer)
            var browser = Browser(server)
            let wrong = try await browser.signIn("ada@example.com", "not the password")
            var other = Browser(server)
            let unknown = try await other.signIn("nobody@example.com", "not the password")
            #expect(wrong.status == 401)
            #expect(unknown.status == 401)
            #expect(wrong.text.contains("That email and password do not match an account."))
            let scrub = { (text: String) in text.replacingOccurrences(of: #"value="[A-Za-z0-9_-]{43}""#, with: "", options: .regularExpression) }
            #expect(scrub(wrong.text).replacingOccurrences(of: "ada@", with: "") == scrub(unknown.text).replacingOccurrences(of: "nobody@", with: ""))
            #expect(browser.cookies["herald_session"] == nil)
        }
    }

    @Test func aFormWithoutItsCSRFTokenIsRefused() async throws {
        try await Self.live { server in
            try await Self.person(server, "ada@example.com", role: .admin)
            var browser = Browser(server)
            _ = try await browser.get("/app/login")
            let noToken = try await browser.post("/app/login", [("email", "ada@example.com"), ("password", Self.password)])
            #expect(noToken.status == 403)
            #expect(noToken.text.contains("did not come from Herald"))
            #expect(noToken.headers.first(name: "Content-Security-Policy") != nil)
            #expect(browser.cookies["herald_session"] == nil)

            #expect(try await browser.signIn("ada@example.com").status == 303)
            let forged = try await browser.post("/app/logout", [("csrf", "forged")])
            #expect(forged.status == 403)
            let missing = try await browser.post("/app/logout", [])
            #expect(missing.status == 403)
            #expect(try await browser.get("/app").status == 200, "the session outlived the forged sign-outs")
        }
    }

    @Test func signInAttemptsAreLimitedPerAccountWithoutLoggingPasswords() async throws {
        let (logger, log) = CapturingLogHandler.logger()
        try await Self.live(logger: logger) { server in
            try await Self.person(server, "ada@example.com", role: .viewer)
            var browser = Browser(server)
            for attempt in 1...3 {
                #expect(try await browser.signIn("ada@example.com", "wrong guess \(attempt)").status == 401)
            }
            let limited = try await browser.signIn("ada@example.com")
            #expect(limited.status == 429)
            let retryAfter = try #require(limited.headers.first(name: "Retry-After").flatMap(Int.init))
            #expect(retryAfter > 0 && retryAfter <= 900)
            #expect(limited.text.contains("Too many failed sign-ins"))
            #expect(browser.cookies["herald_session"] == nil, "the right password does not pass the limit")
            // Another account from the same address is not locked by Ada's failures.
            try await Self.person(server, "bo@example.com", role: .viewer)
            var other = Browser(server)
            #expect(try await other.signIn("bo@example.com").status == 303)

            let warning = try #require(log.all.first { $0.level == .warning && $0.message.contains("too many failed attempts") })
            #expect(warning.metadata["herald.signin.account"] == "account:ada@example.com")
            #expect(warning.metadata["herald.signin.address"] == "127.0.0.1")
            #expect(warning.metadata["herald.signin.limited_by"] == "account")
            for entry in log.all {
                #expect(!entry.text.contains(Self.password) && !entry.text.contains("wrong guess"), "\(entry.text)")
            }
        }
    }

    @Test func signInAttemptsAreLimitedPerAddress() async throws {
        let (logger, log) = CapturingLogHandler.logger()
        try await Self.live(logger: logger, perAddress: 4) { server in
            try await Self.person(server, "ada@example.com", role: .viewer)
            var browser = Browser(server)
            // Four failures spread over accounts (none reaches the per-account limit of 3)...
            for email in ["a@example.com", "b@example.com", "c@example.com", "d@example.com"] {
                #expect(try await browser.signIn(email, "guess").status == 401)
            }
            // ...lock the address, for every account.
            let limited = try await browser.signIn("ada@example.com")
            #expect(limited.status == 429)
            #expect(limited.headers.first(name: "Retry-After").flatMap(Int.init) != nil)
            let warning = try #require(log.all.first { $0.level == .warning && $0.message.contains("too many failed attempts") })
            #expect(warning.metadata["herald.signin.limited_by"] == "address")
        }
    }

    @Test func sessionsEndWhenIdleAtTheirEndAndOnSignOut() async throws {
        try await Self.live { server in
            try await Self.person(server, "ada@example.com", role: .viewer)
            // Idle past the timeout (8 hours by default): the session's last request is moved back in the database.
            var idle = Browser(server)
            #expect(try await idle.signIn("ada@example.com").status == 303)
            #expect(try await idle.get("/app").status == 200)
            _ = try await server.count(
                "WITH moved AS (UPDATE web_sessions SET last_seen_at = now() - interval '9 hours' RETURNING 1) SELECT count(*)::int FROM moved"
            )
            #expect(try await idle.get("/app").status == 303)

            // Past the absolute end, however active.
            var old = Browser(server)
            #expect(try await old.signIn("ada@example.com").status == 303)
            let secret = try #require(old.cookies["herald_session"])
            _ = try await server.count(
                "WITH moved AS (UPDATE web_sessions SET expires_at = now() - interval '1 second' WHERE token_hash = sha256(\(Data(secret.utf8))) RETURNING 1) SELECT count(*)::int FROM moved"
            )
            #expect(try await old.get("/app").status == 303)

            // Signing out ends the session in the database: the old cookie opens nothing.
            var browser = Browser(server)
            #expect(try await browser.signIn("ada@example.com").status == 303)
            let kept = try #require(browser.cookies["herald_session"])
            let home = try await browser.get("/app")
            let out = try await browser.post("/app/logout", [("csrf", Browser.csrf(in: home) ?? "")])
            #expect(out.status == 303)
            #expect(out.headers.first(name: "Location") == "/app/login")
            #expect(browser.cookies["herald_session"] == nil, "the cookie is removed")
            browser.cookies["herald_session"] = kept
            #expect(try await browser.get("/app").status == 303)
        }
    }

    @Test func anInvitationSetsAPasswordOnce() async throws {
        let (logger, log) = CapturingLogHandler.logger()
        try await Self.live(logger: logger) { server in
            let workspace = try await WorkspaceStore(server.database).ensure(slug: "acme")
            let invited = try await UserStore(server.database).invite(workspace: workspace, email: "cy@example.com", role: .approver)
            var browser = Browser(server)
            let page = try await browser.get("/app/invite/\(invited.secret)")
            #expect(page.status == 200)
            #expect(page.text.contains("cy@example.com"))
            let csrf = Browser.csrf(in: page) ?? ""
            let mismatch = try await browser.post(
                "/app/invite/\(invited.secret)",
                [("csrf", csrf), ("password", Self.password), ("confirm", "something else")]
            )
            #expect(mismatch.status == 400)
            #expect(mismatch.text.contains("The two passwords differ."))
            let accepted = try await browser.post(
                "/app/invite/\(invited.secret)",
                [("csrf", csrf), ("password", Self.password), ("confirm", Self.password)]
            )
            #expect(accepted.status == 303, "\(accepted.text)")
            #expect(try await browser.get("/app").text.contains("cy@example.com · approver · acme"))

            // The link works once.
            var stranger = Browser(server)
            let again = try await stranger.get("/app/invite/\(invited.secret)")
            #expect(again.status == 410)
            #expect(again.text.contains("was used already, has expired, or was mistyped"))
            let strangerCSRF = Browser.csrf(in: try await stranger.get("/app/login")) ?? ""
            let reuse = try await stranger.post(
                "/app/invite/\(invited.secret)",
                [("csrf", strangerCSRF), ("password", "another password!"), ("confirm", "another password!")]
            )
            #expect(reuse.status == 410)
            #expect(try await stranger.signIn("cy@example.com", "another password!").status == 401)
            var cy = Browser(server)
            #expect(try await cy.signIn("cy@example.com").status == 303)
            // The one-time secret is never logged (request lines show /app/invite/[redacted]).
            #expect(log.all.contains { $0.metadata["hb.request.path"] == "/app/invite/[redacted]" })
            for entry in log.all { #expect(!entry.text.contains(invited.secret), "\(entry.text)") }
        }
    }

    @Test func someoneSignedInCanUseAnInvitationLink() async throws {
        try await Self.live { server in
            try await Self.person(server, "ada@example.com", role: .admin)
            let workspace = try await WorkspaceStore(server.database).ensure(slug: "acme")
            let invited = try await UserStore(server.database).invite(workspace: workspace, email: "dee@example.com", role: .viewer)
            var browser = Browser(server)
            #expect(try await browser.signIn("ada@example.com").status == 303)
            let page = try await browser.get("/app/invite/\(invited.secret)")
            #expect(page.status == 200)
            // The form carries the session's token, which is what a signed-in POST is checked against.
            let accepted = try await browser.post(
                "/app/invite/\(invited.secret)",
                [("csrf", Browser.csrf(in: page) ?? ""), ("password", Self.password), ("confirm", Self.password)]
            )
            #expect(accepted.status == 303, "\(accepted.text)")
            #expect(try await browser.get("/app").text.contains("dee@example.com · viewer · acme"))
        }
    }

    @Test func pagesEscapeCampaignNamesAndVariantTexts() async throws {
        try await Self.live { server in
            try await Self.person(server, "ada@example.com", role: .viewer)
            let token = try await server.token(workspace: "acme", role: .editor)
            let created = try await server.send(
                .POST,
                "/v1/campaigns",
                token: token,
                json:
                    #"{"name": "\#(Self.hostile)", "slug": "hostile", "channels": ["mastodon"], "dry_run": true, "schedule": {"cron": "0 9 * * MON-FRI", "tz": "Europe/Berlin"}, "variants": [{"text": "Plain"}, {"text": "\#(Self.hostile) \"quoted\" & more"}]}"#
            )
            #expect(created.status == 201, "\(created.text)")
            var browser = Browser(server)
            #expect(try await browser.signIn("ada@example.com").status == 303)
            for path in ["/app", "/app/campaigns/hostile"] {
                let page = try await browser.get(path)
                #expect(page.status == 200, "\(path)")
                #expect(!page.text.contains("<script"), "\(path)")
                #expect(!page.text.contains("<img src=x"), "\(path)")
                #expect(page.text.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"), "\(path)")
                #expect(page.headers.first(name: "Content-Security-Policy")?.contains("script-src 'self'") == true)
            }
            let campaign = try await browser.get("/app/campaigns/hostile")
            #expect(campaign.text.contains("&quot;quoted&quot; &amp; more"))
            // The next five fires, in the campaign's time zone (Berlin is at +01:00 in December and at +02:00 in summer).
            let fires = campaign.text.components(separatedBy: #"<li><time datetime=""#).count - 1
            #expect(fires == 5, "\(campaign.text)")
            #expect(campaign.text.contains("in Europe/Berlin"))
            #expect(campaign.text.range(of: #"<time datetime="[0-9-]+T09:00:00\+0[12]:00">"#, options: .regularExpression) != nil)
            // A viewer sees no button that changes the campaign.
            #expect(!campaign.text.contains("/app/campaigns/hostile/pause"))
            let missing = try await browser.get("/app/campaigns/nothing-here")
            #expect(missing.status == 404)
        }
    }

    @Test func aViewerCannotPostAChangeAndAnEditorCan() async throws {
        try await Self.live { server in
            try await Self.person(server, "viv@example.com", role: .viewer)
            try await Self.person(server, "ed@example.com", role: .editor)
            let token = try await server.token(workspace: "acme", role: .editor)
            _ = try await server.createCampaign(token: token, slug: "spring")

            var viewer = Browser(server)
            #expect(try await viewer.signIn("viv@example.com").status == 303)
            let page = try await viewer.get("/app/campaigns/spring")
            let refused = try await viewer.post("/app/campaigns/spring/pause", [("csrf", Browser.csrf(in: page) ?? "")])
            #expect(refused.status == 403)
            #expect(refused.text.contains("needs the editor role or above"))
            #expect(try await server.count("SELECT count(*)::int FROM campaigns WHERE slug = 'spring' AND status = 'paused'") == 0)

            var editor = Browser(server)
            #expect(try await editor.signIn("ed@example.com").status == 303)
            let editorPage = try await editor.get("/app/campaigns/spring")
            #expect(editorPage.text.contains(#"action="/app/campaigns/spring/pause""#))
            let paused = try await editor.post("/app/campaigns/spring/pause", [("csrf", Browser.csrf(in: editorPage) ?? "")])
            #expect(paused.status == 303)
            #expect(try await server.count("SELECT count(*)::int FROM campaigns WHERE slug = 'spring' AND status = 'paused'") == 1)
            // Another workspace's person does not see the campaign at all.
            try await Self.person(server, "zed@example.com", role: .admin, workspace: "globex")
            var stranger = Browser(server)
            #expect(try await stranger.signIn("zed@example.com").status == 303)
            #expect(try await stranger.get("/app/campaigns/spring").status == 404)
        }
    }

    @Test func cookiesAreSecureBehindAnHTTPSProxy() async throws {
        try await Self.live(trustProxy: true) { server in
            try await Self.person(server, "ada@example.com", role: .viewer)
            var browser = Browser(server)
            let page = try await browser.get("/app/login", headers: [("X-Forwarded-Proto", "https")])
            let reply = try await browser.post(
                "/app/login",
                [("csrf", Browser.csrf(in: page) ?? ""), ("email", "ada@example.com"), ("password", Self.password)],
                headers: [("X-Forwarded-Proto", "https")]
            )
            #expect(reply.status == 303)
            #expect(browser.attributes["herald_session"]?.contains("Secure") == true)
        }
    }
}
