import AsyncHTTPClient
import Connectors
import Foundation
import PlatformStandIns
import Testing

@Suite("OAuth 2.0: PKCE, requests, loopback redirect")
struct OAuthTests {
    @Test("S256 challenge of RFC 7636 appendix B")
    func rfc7636() throws {
        let pkce = try PKCE(verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        #expect(pkce.challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    }

    @Test("verifiers are 43–128 unreserved characters; generated ones are valid and differ")
    func verifiers() throws {
        #expect(throws: OAuthError.self) { try PKCE(verifier: String(repeating: "a", count: 42)) }
        #expect(throws: OAuthError.self) { try PKCE(verifier: String(repeating: "a", count: 129)) }
        #expect(throws: OAuthError.self) { try PKCE(verifier: String(repeating: "a", count: 42) + "!") }
        _ = try PKCE(verifier: String(repeating: "a", count: 43))
        _ = try PKCE(verifier: String(repeating: "~", count: 128))
        let one = PKCE.generate()
        let two = PKCE.generate()
        #expect(one != two)
        #expect(try PKCE(verifier: one.verifier) == one)
        #expect(!one.challenge.contains("=") && !one.challenge.contains("+") && !one.challenge.contains("/"))
    }

    @Test("the authorization URL carries every parameter")
    func authorizationURL() throws {
        let pkce = try PKCE(verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        let url = try OAuthRequests.authorizationURL(
            provider: .x,
            clientID: "client id",
            redirectURI: OAuthRequests.redirectURI(port: 8123),
            scopes: OAuthProvider.x.scopes,
            state: "s+1",
            pkce: pkce
        )
        let components = try #require(URLComponents(url: url, resolvingAgainstBaseURL: false))
        #expect(components.host == "x.com")
        #expect(components.path == "/i/oauth2/authorize")
        let items = Dictionary(uniqueKeysWithValues: (components.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        #expect(
            items == [
                "response_type": "code", "client_id": "client id", "redirect_uri": "http://127.0.0.1:8123/callback",
                "scope": "tweet.read tweet.write users.read offline.access", "state": "s+1",
                "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "code_challenge_method": "S256",
            ]
        )
        #expect(url.absoluteString.contains("scope=tweet.read%20tweet.write"))
        #expect(url.absoluteString.contains("state=s%2B1"))
        #expect(OAuthProvider.linkedIn.scopes == ["openid", "profile", "w_member_social"])
    }

    @Test("token request bodies: code with verifier, refresh; client by Basic (X) or in the body (LinkedIn)")
    func tokenRequests() {
        let exchange = OAuthRequests.exchange(
            provider: .x,
            code: "c/1",
            redirectURI: "http://127.0.0.1:9/callback",
            verifier: "v",
            clientID: "id",
            clientSecret: "se:cret"
        )
        #expect(exchange.url == "https://api.x.com/2/oauth2/token")
        #expect(exchange.method == "POST")
        #expect(!exchange.idempotent)
        #expect(
            String(decoding: exchange.body ?? Data(), as: UTF8.self)
                == "grant_type=authorization_code&code=c%2F1&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback&code_verifier=v"
        )
        #expect(exchange.headers.contains { $0.0 == "Authorization" && $0.1 == "Basic " + Data("id:se%3Acret".utf8).base64EncodedString() })
        let refresh = OAuthRequests.refresh(provider: .linkedIn, refreshToken: "r", clientID: "id", clientSecret: "s")
        #expect(refresh.url == "https://www.linkedin.com/oauth/v2/accessToken")
        #expect(String(decoding: refresh.body ?? Data(), as: UTF8.self) == "grant_type=refresh_token&refresh_token=r&client_id=id&client_secret=s")
        let publicClient = OAuthRequests.refresh(provider: .x, refreshToken: "r", clientID: "id", clientSecret: nil)
        #expect(String(decoding: publicClient.body ?? Data(), as: UTF8.self) == "grant_type=refresh_token&refresh_token=r&client_id=id")
        #expect(!publicClient.headers.contains { $0.0 == "Authorization" })
    }

    @Test("a token answer becomes credentials; a refused grant is auth")
    func tokenAnswers() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let previous = Credentials(accessToken: "old", refreshToken: "old-refresh", clientID: "id", clientSecret: "s")
        let answer = PlatformResponse(
            status: 200,
            body: Data(#"{"token_type":"bearer","expires_in":7200,"access_token":"a","scope":"tweet.read","refresh_token":"r"}"#.utf8)
        )
        let credentials = try OAuthRequests.credentials(from: answer, provider: .x, previous: previous, now: now)
        #expect(
            credentials
                == Credentials(accessToken: "a", refreshToken: "r", expiresAt: now.addingTimeInterval(7_200), clientID: "id", clientSecret: "s")
        )
        let noRotation = PlatformResponse(status: 200, body: Data(#"{"access_token":"a2","expires_in":5184000}"#.utf8))
        #expect(try OAuthRequests.credentials(from: noRotation, provider: .linkedIn, previous: previous, now: now).refreshToken == "old-refresh")
        let refused = PlatformResponse(status: 400, body: Data(#"{"error":"invalid_grant","error_description":"token revoked"}"#.utf8))
        let error = try #require(throws: ConnectorError.self) {
            try OAuthRequests.credentials(from: refused, provider: .x, previous: previous, now: now)
        }
        #expect(error.kind == .auth)
        #expect(error.message.contains("invalid_grant: token revoked"))
        let down = PlatformResponse(status: 503)
        #expect(throws: ConnectorError(.transient, "X's token endpoint failed: ", status: 503)) {
            try OAuthRequests.credentials(from: down, provider: .x, previous: previous, now: now)
        }
    }

    /// Plays the browser: GETs `url` (following redirects) and returns the final status and page.
    static func browse(_ url: String) async throws -> (Int, String) {
        let response = try await PlatformHTTP(timeout: .seconds(60)).send(PlatformRequest(method: "GET", url: url))
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }

    @Test("the loopback listener hands back the code, and refuses an error, a foreign state and silence")
    func loopback() async throws {
        var page = ""
        // Generous timeouts where a code must arrive (a busy machine); the silence case below keeps a short one.
        let code = try await OAuthLoopback.receiveCode(state: "st", timeout: .seconds(60)) { redirect in
            #expect(redirect.hasPrefix("http://127.0.0.1:") && redirect.hasSuffix("/callback"))
            let status = try await Self.browse(redirect.replacingOccurrences(of: "/callback", with: "/favicon.ico")).0
            #expect(status == 404)
            page = try await Self.browse(redirect + "?code=abc&state=st").1
        }
        #expect(code == "abc")
        #expect(page.contains("You can close this window."))

        let refused = await #expect(throws: OAuthError.self) {
            try await OAuthLoopback.receiveCode(state: "st", timeout: .seconds(60)) { redirect in
                _ = try await Self.browse(redirect + "?error=access_denied&error_description=The%20user%20said%20no&state=st")
            }
        }
        #expect(refused?.message.contains("access_denied: The user said no") == true)

        let foreign = await #expect(throws: OAuthError.self) {
            try await OAuthLoopback.receiveCode(state: "st", timeout: .seconds(60)) { redirect in
                let status = try await Self.browse(redirect + "?code=abc&state=other").0
                #expect(status == 400)
            }
        }
        #expect(foreign?.message.contains("state") == true)

        let silent = await #expect(throws: OAuthError.self) {
            try await OAuthLoopback.receiveCode(state: "st", timeout: .milliseconds(300)) { _ in }
        }
        #expect(silent?.message.contains("no authorization arrived") == true)
    }

    @Test("the whole PKCE flow against the X stand-in ends in working, refreshable credentials")
    func fullFlowX() async throws {
        let standIn = XStandIn()
        try await StandInServer.run(standIn.router()) { baseURL in
            let http = PlatformHTTP(timeout: .seconds(30))
            let (urls, opened) = AsyncStream<URL>.makeStream()
            let credentials = try await withThrowingTaskGroup(of: Credentials?.self) { group in
                group.addTask {
                    try await OAuthAuthorization.authorize(
                        provider: .x(baseURL: baseURL),
                        clientID: "herald-client",
                        clientSecret: "herald-secret",
                        http: http,
                        timeout: .seconds(20)
                    ) { url in
                        opened.yield(url)
                        opened.finish()
                    }
                }
                group.addTask {
                    // The browser: opens the authorization URL on the stand-in, which approves and redirects to the loopback.
                    for await url in urls {
                        let (status, page) = try await Self.browse(url.absoluteString)
                        #expect(status == 200)
                        #expect(page.contains("You can close this window."))
                    }
                    return nil
                }
                var result: Credentials?
                for try await value in group { if let value { result = value } }
                return try #require(result)
            }
            #expect(credentials.clientID == "herald-client")
            #expect(credentials.clientSecret == "herald-secret")
            #expect(credentials.refreshToken != nil)
            #expect((credentials.expiresAt ?? .distantPast) > Date().addingTimeInterval(7_000))
            #expect(standIn.oauth.tokenRequests == ["authorization_code"])

            // Stored, then used: the account works, and the refresh token renews it.
            let saved = SavedCredentials()
            saved.save(credentials)
            let account = ConnectedAccount(name: "brand", kind: .x, baseURL: baseURL, credentials: credentials, saveCredentials: { saved.save($0) })
            #expect(try await XConnector(http: http).check(account).id == standIn.userID)
            standIn.expire(token: credentials.accessToken ?? "")
            #expect(try await XConnector(http: http).check(account).handle == "herald_standin")
            #expect(saved.all.count == 2)
            #expect(standIn.oauth.tokenRequests == ["authorization_code", "refresh_token"])
        }
    }

    @Test("the token endpoint refuses a wrong PKCE verifier")
    func wrongVerifier() async throws {
        let standIn = XStandIn()
        try await StandInServer.run(standIn.router()) { baseURL in
            let provider = OAuthProvider.x(baseURL: baseURL)
            let pkce = PKCE.generate()
            let redirect = OAuthRequests.redirectURI(port: 9)
            let url = try OAuthRequests.authorizationURL(
                provider: provider,
                clientID: "c",
                redirectURI: redirect,
                scopes: provider.scopes,
                state: "s",
                pkce: pkce
            )
            let noRedirects = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
            let response = try await PlatformHTTP(client: noRedirects).send(PlatformRequest(method: "GET", url: url.absoluteString))
            try await noRedirects.shutdown()
            #expect(response.status == 302)
            let location = try #require(response.header("location"))
            let code = try #require(URLComponents(string: location)?.queryItems?.first { $0.name == "code" }?.value)
            #expect(location.contains("state=s"))
            let error = await #expect(throws: ConnectorError.self) {
                try await OAuthClient(http: PlatformHTTP()).exchange(
                    provider: provider,
                    code: code,
                    redirectURI: redirect,
                    verifier: PKCE.generate().verifier,
                    clientID: "c",
                    clientSecret: nil
                )
            }
            #expect(error?.kind == .auth)
            #expect(error?.message.contains("code_verifier") == true)
        }
    }
}
