import Foundation
import HeraldCore
import HeraldTestSupport
import Hummingbird
import NIOHTTP1
import PostgresNIO
import Storage
import Testing

@testable import HTTPAPI

@Suite struct ReportServingTests {
    static let hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>"

    /// A campaign with a hostile variant text, some engagement and one analysis.
    func analyzedCampaign(_ server: TestServer, token: String) async throws {
        let created = try await server.send(
            .POST,
            "/v1/campaigns",
            token: token,
            json: #"{"name": "Spring", "slug": "spring", "channels": ["x"], "variants": [{"text": "Plain"}, {"text": "\#(Self.hostile)"}]}"#
        )
        #expect(created.status == 201, "\(created.text)")
        let variants = EventIngestTests.variants(of: try created.json())
        let impressions = (0..<400).map { _ in UUID() }
        _ = try await server.send(.POST, "/v1/events", token: token, json: EventIngestTests.batch(impressions, variants: variants))
        _ = try await server.send(
            .POST,
            "/v1/events",
            token: token,
            json: EventIngestTests.batch((0..<30).map { _ in UUID() }, variants: variants, kind: "click")
        )
        let analysis = try await server.send(.POST, "/v1/campaigns/spring/analyses", token: token)
        #expect(analysis.status == 201, "\(analysis.text)")
    }

    @Test func tokensAndShareLinksOpenReportsAndNothingElseDoes() async throws {
        let (logger, log) = CapturingLogHandler.logger()
        try await TestServer.with(logger: logger) { server in
            let token = try await server.token(workspace: "acme", role: .editor)
            let viewer = try await server.token(workspace: "acme", role: .viewer)
            let stranger = try await server.token(workspace: "globex", role: .admin)
            try await analyzedCampaign(server, token: token)

            let page = try await server.send(.GET, "/reports/spring", token: viewer)
            #expect(page.status == 200)
            #expect(page.headers.first(name: "Content-Type")?.hasPrefix("text/html") == true)
            #expect(page.headers.first(name: "Content-Security-Policy")?.contains("default-src 'none'") == true)
            #expect(page.text.contains("<svg"))
            #expect(!page.text.contains(Self.hostile))
            #expect(page.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            for file in ["report.md", "report.csv", "report.json", "report.html"] {
                let reply = try await server.send(.GET, "/reports/spring/\(file)", token: viewer)
                #expect(reply.status == 200, "\(file)")
                #expect(reply.headers.first(name: "X-Content-Type-Options") == "nosniff")
                if file == "report.csv" {
                    // CSV is data: the text is kept as written, served as text/csv that browsers never run.
                    #expect(reply.headers.first(name: "Content-Type")?.hasPrefix("text/csv") == true)
                } else {
                    #expect(!reply.text.contains("<script>alert(1)</script><img"), "\(file) carries the raw script")
                }
            }
            #expect(try await server.send(.GET, "/reports/spring/report.exe", token: viewer).status == 404)
            #expect(try await server.send(.GET, "/reports", token: viewer).text.contains("spring"))

            // No token, a stranger's token.
            #expect(try await server.send(.GET, "/reports/spring").status == 401)
            #expect(try await server.send(.GET, "/reports").status == 401)
            #expect(try await server.send(.GET, "/reports/spring", token: stranger).status == 404)
            #expect(try await server.send(.GET, "/reports/spring", token: "hrld_forged").status == 401)

            // A share link works without a token, for its campaign only; a changed one does not.
            let shared = try await server.send(.POST, "/v1/reports/share", token: token, json: #"{"campaign": "spring", "expires_in_hours": 2}"#)
            #expect(shared.status == 201, "\(shared.text)")
            let sharedURL = try #require(try shared.json()["url"] as? String)
            let url = try #require(URLComponents(string: sharedURL))
            let path = url.path + "?" + (url.percentEncodedQuery ?? "")
            #expect(try await server.send(.GET, path).status == 200)
            // The request is logged, its signature is not.
            let signature = try #require(url.queryItems?.first { $0.name == "signature" }?.value)
            #expect(log.all.contains { $0.message == "request" && $0.text.contains("\(url.path)?") && $0.text.contains("signature=[redacted]") })
            #expect(!log.all.contains { $0.text.contains(signature) })
            #expect(try await server.send(.GET, url.path + "/report.csv?" + (url.percentEncodedQuery ?? "")).status == 200)
            #expect(try await server.send(.GET, "/reports?" + (url.percentEncodedQuery ?? "")).status == 401)
            let tampered = path.replacingOccurrences(of: "expires=", with: "expires=9")
            #expect(try await server.send(.GET, tampered).status == 401)
            #expect(try await server.send(.POST, "/v1/reports/share", token: viewer, json: "{}").status == 403)
            #expect(try await server.send(.POST, "/v1/reports/share", token: token, json: #"{"expires_in_hours": 0}"#).status == 422)

            // An expired link says so.
            let acme = try await WorkspaceStore(server.database).find(slug: "acme")
            let secret = try await WorkspaceStore(server.database).shareSecret(acme)
            let expired = ShareLink(workspace: acme, scope: "spring", expires: Int64(Date().timeIntervalSince1970) - 1)
            let old = try await server.send(.GET, "/reports/spring?" + expired.query(secret: secret))
            #expect(old.status == 401)
            #expect(try old.error().message.contains("expired"))

            // The overview's share link leads to each campaign's report with a link of its own.
            let overviewLink = try await server.send(.POST, "/v1/reports/share", token: token, json: "{}")
            let overviewText = try #require(try overviewLink.json()["url"] as? String)
            let overviewURL = try #require(URLComponents(string: overviewText))
            let overview = try await server.send(.GET, overviewURL.path + "?" + (overviewURL.percentEncodedQuery ?? ""))
            #expect(overview.status == 200)
            let href = try #require(overview.text.range(of: #"href="/reports/spring\?[^"]+""#, options: .regularExpression))
            let link = String(overview.text[href].dropFirst(6).dropLast()).replacingOccurrences(of: "&amp;", with: "&")
            #expect(try await server.send(.GET, link).status == 200)

            // Rotating the key revokes every link.
            try await WorkspaceStore(server.database).rotateShareSecret(acme)
            #expect(try await server.send(.GET, path).status == 401)
        }
    }

    @Test func aCampaignWithoutAnalysisSaysWhatToDo() async throws {
        try await TestServer.with { server in
            let token = try await server.token(workspace: "acme", role: .editor)
            _ = try await server.createCampaign(token: token)
            let reply = try await server.send(.GET, "/reports/spring", token: token)
            #expect(reply.status == 404)
            #expect(try reply.error().message.contains("no analysis yet"))
        }
    }

    @Test func loggedQueriesNeverCarryASignature() {
        #expect(ObservingMiddleware.loggable(path: "/reports/spring", query: nil) == "/reports/spring")
        #expect(
            ObservingMiddleware.loggable(path: "/reports/spring", query: "workspace=w&expires=17&signature=c2VjcmV0&x=")
                == "/reports/spring?workspace=w&expires=17&signature=[redacted]&x="
        )
        #expect(ObservingMiddleware.loggable(path: "/r", query: "signature&signatures=1") == "/r?signature=[redacted]&signatures=1")
    }
}
