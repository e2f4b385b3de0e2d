import Foundation
import HTTPAPI
import HeraldCore
import Hummingbird
import NIOHTTP1
import PostgresNIO
import Storage
import Testing

@Suite struct TrackingTests {
    static let browser = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"

    @Test func clickRedirectsWithUTMAndPixelRecordsAnImpression() async throws {
        try await TestServer.live { server in
            let token = try await server.token(workspace: "acme", role: .editor)
            _ = try await server.createCampaign(token: token)
            let created = try await server.send(
                .POST,
                "/v1/campaigns/spring/publications",
                token: token,
                json: #"{"variant": "B", "channel": "email"}"#
            )
            #expect(created.status == 201, "\(created.text)")
            let publication = try created.json()
            let code = try #require(publication["tracking_code"] as? String)
            #expect(code.count >= 16)
            #expect(publication["click_url"] as? String == "http://127.0.0.1:\(server.port)/r/\(code)")

            let click = try await server.send(.GET, "/r/\(code)", headers: [("User-Agent", Self.browser)])
            #expect(click.status == 302)
            let location = try #require(click.headers.first(name: "Location"))
            let components = try #require(URLComponents(string: location))
            #expect(components.host == "shop.example.com")
            #expect(components.path == "/shoes")
            let query = Dictionary(uniqueKeysWithValues: (components.queryItems ?? []).map { ($0.name, $0.value ?? "") })
            #expect(query == ["ref": "herald", "utm_source": "email", "utm_medium": "email", "utm_campaign": "spring", "utm_content": "B"])

            let pixel = try await server.send(.GET, "/p/\(code).gif", headers: [("User-Agent", Self.browser)])
            #expect(pixel.status == 200)
            #expect(pixel.headers.first(name: "Content-Type") == "image/gif")
            #expect(pixel.headers.first(name: "Cache-Control")?.contains("no-store") == true)
            #expect(pixel.body.prefix(6).elementsEqual("GIF89a".utf8))
            #expect(pixel.body.count == 43)

            #expect(try await server.count("SELECT count(*)::int FROM events WHERE kind = 'click' AND NOT is_bot") == 1)
            #expect(try await server.count("SELECT count(*)::int FROM events WHERE kind = 'impression' AND NOT is_bot") == 1)
            #expect(try await server.count("SELECT sum(count)::int FROM variant_hourly") == 2)
        }
    }

    @Test func headAnswersLikeGetAndRecordsNothing() async throws {
        try await TestServer.live { server in
            let token = try await server.token(workspace: "acme", role: .editor)
            _ = try await server.createCampaign(token: token)
            let created = try await server.send(.POST, "/v1/campaigns/spring/publications", token: token, json: #"{"variant": "A", "channel": "x"}"#)
            let code = try #require(try created.json()["tracking_code"] as? String)

            let probe = try await server.send(.HEAD, "/r/\(code)", headers: [("User-Agent", Self.browser)])
            #expect(probe.status == 302)
            let click = try await server.send(.GET, "/r/\(code)", headers: [("User-Agent", Self.browser)])
            #expect(probe.headers.first(name: "Location") == click.headers.first(name: "Location"))
            #expect(probe.headers.first(name: "Cache-Control") == "no-store")
            #expect(probe.body.isEmpty)

            let pixelProbe = try await server.send(.HEAD, "/p/\(code).gif", headers: [("User-Agent", Self.browser)])
            #expect(pixelProbe.status == 200)
            #expect(pixelProbe.headers.first(name: "Content-Type") == "image/gif")
            #expect(pixelProbe.headers.first(name: "Content-Length") == "43")
            #expect(pixelProbe.body.isEmpty)

            #expect(try await server.send(.HEAD, "/r/nosuchcode").status == 404)
            #expect(try await server.send(.HEAD, "/p/nosuchcode.gif").status == 404)
            #expect(try await server.send(.HEAD, "/r/\(code)?to=https://evil.example").status == 400)
            // Only the GET was a click; no probe became an event.
            #expect(try await server.count("SELECT count(*)::int FROM events") == 1)
            #expect(try await server.count("SELECT count(*)::int FROM events WHERE kind = 'click'") == 1)
        }
    }

    @Test func botsAreRecordedButLeftOutOfAnalysis() async throws {
        try await TestServer.live { server in
            let token = try await server.token(workspace: "acme", role: .editor)
            _ = try await server.createCampaign(token: token)
            let code = try #require(
                try await server.send(.POST, "/v1/campaigns/spring/publications", token: token, json: #"{"variant": "A", "channel": "x"}"#)
                    .json()["tracking_code"] as? String
            )
            for agent in ["Twitterbot/1.0", "facebookexternalhit/1.1", "Slackbot-LinkExpanding 1.0", "curl/8.5.0", ""] {
                let reply = try await server.send(.GET, "/r/\(code)", headers: [("User-Agent", agent)])
                #expect(reply.status == 302)
            }
            #expect(try await server.count("SELECT count(*)::int FROM events WHERE is_bot") == 5)
            #expect(try await server.count("SELECT coalesce(sum(count), 0)::int FROM variant_hourly") == 0)
        }
    }

    @Test func unknownCodesOpenRedirectsAndMissingDestinationsRecordNothing() async throws {
        try await TestServer.live { server in
            let token = try await server.token(workspace: "acme", role: .editor)
            _ = try await server.createCampaign(token: token)
            _ = try await server.createCampaign(token: token, slug: "nowhere", destination: nil)
            let code = try #require(
                try await server.send(.POST, "/v1/campaigns/spring/publications", token: token, json: #"{"variant": "A", "channel": "x"}"#)
                    .json()["tracking_code"] as? String
            )
            let nowhere = try #require(
                try await server.send(.POST, "/v1/campaigns/nowhere/publications", token: token, json: #"{"variant": "A", "channel": "x"}"#)
                    .json()["tracking_code"] as? String
            )
            let agent = [("User-Agent", Self.browser)]
            #expect(try await server.send(.GET, "/r/doesnotexist", headers: agent).status == 404)
            #expect(try await server.send(.GET, "/p/doesnotexist.gif", headers: agent).status == 404)
            #expect(try await server.send(.GET, "/p/\(code).png", headers: agent).status == 404)
            #expect(try await server.send(.GET, "/r/\(String(repeating: "a", count: 5_000))", headers: agent).status == 404)
            for target in ["https://evil.example.net/", "//evil.example.net", "https://shop.example.com.evil.net/shoes"] {
                let escaped = target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                let reply = try await server.send(.GET, "/r/\(code)?to=\(escaped)", headers: agent)
                #expect(reply.status == 400)
                #expect(reply.headers.first(name: "Location") == nil)
            }
            #expect(try await server.send(.GET, "/r/\(nowhere)", headers: agent).status == 404)
            #expect(try await server.count("SELECT count(*)::int FROM events") == 0)
        }
    }
}
