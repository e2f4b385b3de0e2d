import AsyncHTTPClient
import Connectors
import Foundation
import HTTPAPI
import HeraldCore
import HeraldTestSupport
import Logging
import NIOHTTP1
import PlatformStandIns
import PostgresNIO
import Testing
import WebApp

@testable import Storage

/// Connecting and reconnecting X and LinkedIn accounts from the accounts page, over real loopback HTTP against the X
/// and LinkedIn stand-ins (OAuth 2.0 authorization code with PKCE) and the real database: the whole browser round trip,
/// sealed storage, the account check, the audit log, and every refusal (state of another session, expired, replayed,
/// refused on the platform, roles, CSRF, a server without the platform's app).
@Suite struct BackOfficeAccountConnectTests {
    typealias Browser = BackOfficeTests.Browser

    static let xSecret = "x-app-client-secret-value"
    static let linkedInSecret = "linkedin-app-client-secret-value"

    /// A live back office whose X and LinkedIn apps point at fresh stand-ins (LinkedIn's left unconfigured when
    /// `linkedIn` is false), with the connectors' own account checks.
    static func live(
        linkedIn configureLinkedIn: Bool = true,
        logger: Logger = TestDatabase.logger,
        _ body: (TestServer, XStandIn, LinkedInStandIn) async throws -> Void
    ) async throws {
        let x = XStandIn()
        let linkedIn = LinkedInStandIn()
        try await StandInServer.run(x.router()) { xBase in
            try await StandInServer.run(linkedIn.router()) { linkedInBase in
                try await TestServer.live(
                    logger: logger,
                    configure: { settings in
                        settings.web.passwordCost = 4
                        settings.web.oauthApps = OAuthApps(
                            x: .init(clientID: "herald-x-app", clientSecret: xSecret, apiBaseURL: xBase),
                            linkedIn: configureLinkedIn
                                ? .init(clientID: "herald-linkedin-app", clientSecret: linkedInSecret, apiBaseURL: linkedInBase)
                                : .init(apiBaseURL: linkedInBase)
                        )
                        settings.accountCheck = { kind in
                            let connector = ConnectorRegistry().connector(for: kind)
                            return { try await connector.check($0) }
                        }
                    }
                ) { server in
                    try await body(server, x, linkedIn)
                }
            }
        }
    }

    /// A browser signed in as a new person of workspace `acme` with `role`.
    static func signedIn(_ server: TestServer, _ email: String, role: UserRole) async throws -> Browser {
        try await BackOfficeTests.person(server, email, role: role)
        var browser = Browser(server)
        let reply = try await browser.signIn(email)
        #expect(reply.status == 303, "\(reply.text)")
        return browser
    }

    /// Posts the connect form and follows the `303` to the platform's authorization page, which answers with a redirect
    /// back to the callback; returns that callback's path and query (not yet visited), or the form's answer when it
    /// was not a redirect to the platform.
    static func authorize(_ browser: inout Browser, kind: String, name: String) async throws -> (callback: String?, reply: TestServer.Reply) {
        let page = try await browser.get("/app/accounts")
        let started = try await browser.post("/app/accounts/connect", [("csrf", Browser.csrf(in: page) ?? ""), ("kind", kind), ("name", name)])
        guard started.status == 303, let location = started.headers.first(name: "Location"), location.hasPrefix("http") else {
            return (nil, started)
        }
        let platform = try await TestServer.client.execute(HTTPClientRequest(url: location), timeout: .seconds(30))
        #expect(platform.status.code == 302)
        let back = try #require(platform.headers.first(name: "Location"))
        let url = try #require(URLComponents(string: back))
        #expect(url.path == "/app/accounts/oauth/callback")
        return ("\(url.path)?\(url.percentEncodedQuery ?? "")", started)
    }

    static func accountCount(_ server: TestServer) async throws -> Int {
        try await server.count("SELECT count(*)::int FROM accounts")
    }

    @Test func anAdminConnectsAndReconnectsXAndLinkedInThroughThePlatform() async throws {
        let (logger, log) = CapturingLogHandler.logger()
        try await Self.live(logger: logger) { server, x, _ in
            var browser = try await Self.signedIn(server, "root@example.com", role: .admin)
            let page = try await browser.get("/app/accounts")
            #expect(page.text.contains(#"<button type="submit">Connect X</button>"#))
            #expect(page.text.contains(#"<button type="submit">Connect LinkedIn</button>"#))
            #expect(page.text.contains(#"<label for="connect-x-name">X account name</label>"#))

            // The form answers 303 to X's authorization page with PKCE S256 and a state.
            let started = try await browser.post(
                "/app/accounts/connect",
                [("csrf", Browser.csrf(in: page) ?? ""), ("kind", "x"), ("name", "brand-x")]
            )
            #expect(started.status == 303)
            let location = try #require(started.headers.first(name: "Location"))
            let authorize = try #require(URLComponents(string: location))
            #expect(authorize.path == "/i/oauth2/authorize")
            let items = Dictionary((authorize.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
            #expect(items["code_challenge_method"] == "S256")
            #expect(items["client_id"] == "herald-x-app")
            #expect(items["redirect_uri"] == "http://127.0.0.1:\(server.port)/app/accounts/oauth/callback")
            #expect(items["scope"] == "tweet.read tweet.write users.read offline.access")
            let state = try #require(items["state"])
            // Only the state's hash and the sealed verifier are stored, bound to the session.
            #expect(try await server.count("SELECT count(*)::int FROM oauth_flows WHERE state_hash = sha256(\(Data(state.utf8)))") == 1)
            #expect(try await server.count("SELECT count(*)::int FROM oauth_flows WHERE position(convert_to(\(state), 'UTF8') in verifier) > 0") == 0)

            let platform = try await TestServer.client.execute(HTTPClientRequest(url: location), timeout: .seconds(30))
            #expect(platform.status.code == 302)
            let back = try #require(platform.headers.first(name: "Location").flatMap { URLComponents(string: $0) })
            let callback = "\(back.path)?\(back.percentEncodedQuery ?? "")"
            let done = try await browser.get(callback)
            #expect(done.status == 303, "\(done.text)")
            #expect(done.headers.first(name: "Location") == "/app/accounts?connected=brand-x")
            #expect(x.oauth.tokenRequests == ["authorization_code"])

            let accounts = try await browser.get("/app/accounts?connected=brand-x")
            #expect(accounts.text.contains("Connected the x account brand-x: ok."))
            #expect(accounts.text.contains(#"<span class="state state-ok">ok</span>"#))
            #expect(accounts.text.contains(#"aria-label="Reconnect brand-x""#))
            #expect(try await server.count("SELECT count(*)::int FROM oauth_flows") == 0, "a state is used once")

            // Stored sealed, checked with X (its user id as the handle), and audited.
            let workspace = try await WorkspaceStore(server.database).ensure(slug: "acme")
            let secrets = try #require(server.settings.secrets)
            let store = AccountStore(server.database, workspace: workspace, secrets: secrets)
            let stored = try await store.find(name: "brand-x")
            #expect(stored.kind == .x)
            #expect(stored.handle == x.userID)
            #expect(stored.health == .ok)
            let first = try await store.connected(stored.id).credentials
            let access = try #require(first.accessToken)
            let refresh = try #require(first.refreshToken)
            #expect(first.clientID == "herald-x-app")
            #expect(x.oauth.user(authorization: "Bearer \(access)") == x.userID)
            #expect(
                try await server.count("SELECT count(*)::int FROM accounts WHERE position(convert_to(\(access), 'UTF8') in credentials) > 0") == 0
            )
            let audit = try await AuditLog(server.database, workspace: workspace).entries(subjectKind: "account")
            #expect(audit.map(\.action) == ["account.connect"])
            #expect(audit.first?.actorName == "root@example.com")

            // The same callback again: refused, nothing changes.
            let replay = try await browser.get(callback)
            #expect(replay.status == 400)
            #expect(replay.text.contains("already used"))
            #expect(try await store.connected(stored.id).credentials.accessToken == access)

            // Reconnect: the same account gets new credentials.
            let (again, _) = try await Self.authorize(&browser, kind: "x", name: "brand-x")
            let reconnected = try await browser.get(try #require(again))
            #expect(reconnected.headers.first(name: "Location") == "/app/accounts?reconnected=brand-x")
            #expect(try await Self.accountCount(server) == 1)
            let renewed = try await store.connected(stored.id).credentials
            #expect(renewed.accessToken != access)
            #expect(
                try await AuditLog(server.database, workspace: workspace).entries(subjectKind: "account").map(\.action) == [
                    "account.reconnect", "account.connect",
                ]
            )

            // LinkedIn, through its own authorization page (client secret in the form body).
            let (linkedInCallback, _) = try await Self.authorize(&browser, kind: "linkedin", name: "brand-li")
            let linked = try await browser.get(try #require(linkedInCallback))
            #expect(linked.headers.first(name: "Location") == "/app/accounts?connected=brand-li")
            let li = try await store.find(name: "brand-li")
            #expect(li.kind == .linkedin)
            #expect(li.handle == "urn:li:person:yrZCpj2Z12")
            let liCredentials = try await store.connected(li.id).credentials
            let liAccess = try #require(liCredentials.accessToken)

            // No token or client secret in any page or log line.
            let final = try await browser.get("/app/accounts")
            let secrets_ = [access, refresh, try #require(renewed.accessToken), liAccess, Self.xSecret, Self.linkedInSecret]
            for page in [page, accounts, final, replay, linked, reconnected, done] {
                for secret in secrets_ { #expect(!page.text.contains(secret)) }
            }
            for entry in log.all {
                for secret in secrets_ { #expect(!entry.text.contains(secret), "logged: \(entry.text)") }
            }
        }
    }

    @Test func wrongExpiredAndOtherSessionsStatesAreRefusedAndStoreNothing() async throws {
        try await Self.live(linkedIn: false) { server, x, _ in
            var admin = try await Self.signedIn(server, "root@example.com", role: .admin)
            var other = try await Self.signedIn(server, "second@example.com", role: .admin)

            // Another session (another admin of the workspace) cannot finish this one's authorization.
            let (stolen, _) = try await Self.authorize(&admin, kind: "x", name: "brand-x")
            let refused = try await other.get(try #require(stolen))
            #expect(refused.status == 400)
            #expect(refused.text.contains("not started from this session"))
            // And it is spent: the session that started it cannot use it any more.
            #expect(try await admin.get(try #require(stolen)).status == 400)

            // Expired.
            let (late, _) = try await Self.authorize(&admin, kind: "x", name: "brand-x")
            _ = try await server.database.client.query(
                "UPDATE oauth_flows SET expires_at = now() - interval '1 second'",
                logger: server.database.logger
            )
            .collect()
            let expired = try await admin.get(try #require(late))
            #expect(expired.status == 400)
            #expect(expired.text.contains("expired"))

            // A state Herald never made.
            let made = try await admin.get("/app/accounts/oauth/callback?code=x-code-1&state=\(SecretToken().secret)")
            #expect(made.status == 400)

            // Refused on the platform: shown plainly.
            x.oauth.refuseNextAuthorization()
            let (denied, _) = try await Self.authorize(&admin, kind: "x", name: "brand-x")
            let deniedPage = try await admin.get(try #require(denied))
            #expect(deniedPage.status == 200)
            #expect(deniedPage.text.contains("X did not authorize Herald (access_denied: The user denied the request)"))
            #expect(deniedPage.text.contains("Nothing was connected"))

            #expect(try await Self.accountCount(server) == 0)
            #expect(try await server.count("SELECT count(*)::int FROM audit_log WHERE action LIKE 'account.%'") == 0)
            #expect(x.oauth.tokenRequests.isEmpty, "no code was exchanged")

            // LinkedIn's app is not configured on this server: the page says what to set, and has no button.
            let page = try await admin.get("/app/accounts")
            #expect(page.text.contains("Connect LinkedIn: set HERALD_LINKEDIN_CLIENT_ID and HERALD_LINKEDIN_CLIENT_SECRET on the server"))
            #expect(!page.text.contains("Connect LinkedIn</button>"))
            let (none, answer) = try await Self.authorize(&admin, kind: "linkedin", name: "brand-li")
            #expect(none == nil)
            #expect(answer.status == 503)
            #expect(answer.text.contains("HERALD_LINKEDIN_CLIENT_ID"))
        }
    }

    @Test func onlyAdminsStartTheFlowAndOnlyWithTheFormsToken() async throws {
        try await Self.live { server, x, _ in
            for (email, role) in [("viewer@example.com", UserRole.viewer), ("editor@example.com", .editor), ("approver@example.com", .approver)] {
                var browser = try await Self.signedIn(server, email, role: role)
                let page = try await browser.get("/app/accounts")
                #expect(page.status == 200)
                #expect(!page.text.contains("Connect X</button>"))
                let (callback, answer) = try await Self.authorize(&browser, kind: "x", name: "brand-x")
                #expect(callback == nil)
                #expect(answer.status == 403, "\(role)")
                let finish = try await browser.get("/app/accounts/oauth/callback?code=x&state=\(SecretToken().secret)")
                #expect(finish.status == 403, "\(role)")
            }
            var admin = try await Self.signedIn(server, "root@example.com", role: .admin)
            _ = try await admin.get("/app/accounts")
            let forged = try await admin.post("/app/accounts/connect", [("kind", "x"), ("name", "brand-x")])
            #expect(forged.status == 403)
            let wrong = try await admin.post("/app/accounts/connect", [("csrf", "not-the-token"), ("kind", "x"), ("name", "brand-x")])
            #expect(wrong.status == 403)
            #expect(try await server.count("SELECT count(*)::int FROM oauth_flows") == 0)
            #expect(try await Self.accountCount(server) == 0)
            #expect(x.oauth.tokenRequests.isEmpty)
        }
    }
}
