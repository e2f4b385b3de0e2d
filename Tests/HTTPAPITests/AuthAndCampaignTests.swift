import Foundation
import HTTPAPI
import HeraldCore
import Hummingbird
import NIOHTTP1
import PostgresNIO
import Storage
import Testing

@Suite struct AuthAndCampaignTests {
    @Test func tokensGateEveryV1RouteAndScopeItToTheirWorkspace() async throws {
        try await TestServer.with { server in
            let editor = try await server.token(workspace: "acme", role: .editor)
            let viewer = try await server.token(workspace: "acme", role: .viewer)
            let other = try await server.token(workspace: "globex", role: .admin)
            let campaign = try await server.createCampaign(token: editor)
            let id = try #require(campaign["id"] as? String)

            // No token, a malformed header, an unknown token: 401 in the error shape.
            let none = try await server.send(.GET, "/v1/campaigns")
            #expect(none.status == 401)
            #expect(try none.error().code == "unauthorized")
            #expect(try await server.send(.GET, "/v1/campaigns", headers: [("Authorization", "Basic abc")]).status == 401)
            #expect(try await server.send(.GET, "/v1/campaigns", token: "hrld_not-a-real-token").status == 401)
            #expect(try await server.send(.GET, "/v1/campaigns", token: "").status == 401)

            // A viewer reads but cannot write.
            #expect(try await server.send(.GET, "/v1/campaigns/\(id)", token: viewer).status == 200)
            let viewerWrite = try await server.send(.PATCH, "/v1/campaigns/\(id)", token: viewer, json: #"{"name": "x"}"#)
            #expect(viewerWrite.status == 403)
            #expect(try viewerWrite.error().code == "forbidden")
            #expect(try await server.send(.POST, "/v1/events", token: viewer, json: "[]").status == 403)

            // Another workspace's token: 404 for the id, never 403, and nothing changes.
            for (method, path, body) in [
                (HTTPMethod.GET, "/v1/campaigns/\(id)", nil), (.GET, "/v1/campaigns/spring", nil),
                (.PATCH, "/v1/campaigns/\(id)", #"{"name": "pwned"}"#),
                (.DELETE, "/v1/campaigns/\(id)", nil), (.GET, "/v1/campaigns/\(id)/variants", nil),
                (.POST, "/v1/campaigns/\(id)/variants", #"{"text": "injected"}"#), (.GET, "/v1/campaigns/\(id)/publications", nil),
                (.POST, "/v1/campaigns/\(id)/analyses", nil),
            ] {
                let reply = try await server.send(method, path, token: other, body: body.map { Array($0.utf8) })
                #expect(reply.status == 404, "\(method) \(path): \(reply.status) \(reply.text)")
            }
            let otherList = try await server.send(.GET, "/v1/campaigns", token: other).json()
            #expect((otherList["campaigns"] as? [Any])?.isEmpty == true)
            // Events naming another workspace's variant are unknown variants there.
            let variant = try #require((campaign["variants"] as? [[String: Any]])?.first?["id"] as? String)
            let event =
                #"[{"id": "\#(UUID().uuidString)", "variant_id": "\#(variant)", "kind": "impression", "occurred_at": "\#(Timestamp.format(Date()))"}]"#
            let foreign = try await server.send(.POST, "/v1/events", token: other, json: event)
            #expect(foreign.status == 422)
            #expect(try foreign.error().fields == ["variant_id"])
            #expect(try await server.count("SELECT count(*)::int FROM events") == 0)
            let still = try await server.send(.GET, "/v1/campaigns/\(id)", token: editor).json()
            #expect(still["name"] as? String == "Spring spring")

            // A revoked token stops working at once.
            let acme = try await WorkspaceStore(server.database).find(slug: "acme")
            let tokens = try await TokenStore(server.database).list(workspace: acme)
            for token in tokens { try await TokenStore(server.database).revoke(token.id, workspace: acme) }
            #expect(try await server.send(.GET, "/v1/campaigns", token: viewer).status == 401)
            // Secrets are stored only as hashes.
            #expect(
                try await server.count("SELECT count(*)::int FROM api_tokens WHERE position(convert_to(\(viewer), 'UTF8') in token_hash) > 0") == 0
            )
            #expect(try await server.count("SELECT count(*)::int FROM api_tokens WHERE octet_length(token_hash) = 32") == 3)
        }
    }

    @Test func campaignsVariantsChannelsAndSchedulesRoundTrip() async throws {
        try await TestServer.with { server in
            let token = try await server.token(workspace: "acme", role: .admin)
            let campaign = try await server.createCampaign(token: token)
            let id = try #require(campaign["id"] as? String)
            #expect(campaign["slug"] as? String == "spring")
            #expect((campaign["variants"] as? [[String: Any]])?.map { $0["key"] as? String } == ["A", "B"])

            let patched = try await server.send(
                .PATCH,
                "/v1/campaigns/spring",
                token: token,
                json: #"{"name": "Renamed", "primary_metric": "conversion", "destination": null}"#
            )
            #expect(patched.status == 200)
            #expect(try patched.json()["name"] as? String == "Renamed")
            #expect(try patched.json()["primary_metric"] as? String == "conversion")
            #expect(try patched.json()["destination"] == nil)

            let added = try await server.send(
                .POST,
                "/v1/campaigns/\(id)/variants",
                token: token,
                json: #"{"text": "A third way", "subject": "A third way"}"#
            )
            #expect(added.status == 201)
            #expect(try added.json()["key"] as? String == "C")
            let duplicate = try await server.send(
                .POST,
                "/v1/campaigns/\(id)/variants",
                token: token,
                json: #"{"key": "C", "text": "again", "subject": "Again"}"#
            )
            #expect(duplicate.status == 422)
            #expect(try duplicate.error().fields == ["key"])
            #expect(try await server.send(.DELETE, "/v1/campaigns/\(id)/variants/C", token: token).status == 204)
            #expect(try await server.send(.DELETE, "/v1/campaigns/\(id)/variants/B", token: token).status == 204)
            let lastTwo = try await server.send(.DELETE, "/v1/campaigns/\(id)/variants/A", token: token)
            #expect(lastTwo.status == 409)
            #expect(try lastTwo.error().code == "conflict")

            let channels = try await server.send(.PUT, "/v1/campaigns/\(id)/channels", token: token, json: #"{"channels": ["linkedin", "x"]}"#)
            #expect(try channels.json()["channels"] as? [String] == ["linkedin", "x"])
            let badChannel = try await server.send(.PUT, "/v1/campaigns/\(id)/channels", token: token, json: #"{"channels": ["x", "myspace"]}"#)
            #expect(try badChannel.error().fields == ["channels[1]"])

            let schedule = try await server.send(
                .POST,
                "/v1/campaigns/\(id)/schedules",
                token: token,
                json: #"{"rule": "0 9 * * MON-FRI", "tz": "Europe/Berlin"}"#
            )
            #expect(schedule.status == 201, "\(schedule.text)")
            let scheduleID = try #require(try schedule.json()["id"] as? String)
            #expect(try schedule.json()["next_fire_at"] as? String != nil)
            let listed = try await server.send(.GET, "/v1/campaigns/\(id)/schedules", token: token).json()
            #expect((listed["schedules"] as? [Any])?.count == 1)
            #expect(try await server.send(.GET, "/v1/schedules/\(scheduleID)", token: token).status == 200)
            #expect(try await server.send(.DELETE, "/v1/schedules/\(scheduleID)", token: token).status == 204)
            #expect(try await server.send(.GET, "/v1/schedules/\(scheduleID)", token: token).status == 404)

            #expect(try await server.send(.DELETE, "/v1/campaigns/\(id)", token: token).status == 204)
            #expect(try await server.send(.GET, "/v1/campaigns/\(id)", token: token).status == 404)
        }
    }

    @Test(arguments: [
        (#"{"channels": ["x"], "variants": [{"text": "a"}, {"text": "b"}]}"#, "name"),
        (#"{"name": "N", "channels": ["x"], "variants": []}"#, "variants"),
        (#"{"name": "N", "channels": ["x", "email"], "variants": [{"text": "no subject"}]}"#, "variants[0].subject"),
        (#"{"name": "N", "channels": ["x", "sms"], "variants": [{"text": "x only", "channels": ["x"]}]}"#, "channels"),
        (#"{"name": "N", "channels": ["fax"], "variants": [{"text": "a"}, {"text": "b"}]}"#, "channels[0]"),
        (#"{"name": "N", "channels": ["x"], "destination": "javascript:alert(1)", "variants": [{"text": "a"}, {"text": "b"}]}"#, "destination"),
        (
            #"{"name": "N", "channels": ["x"], "schedule": {"cron": "61 * * * *", "tz": "UTC"}, "variants": [{"text": "a"}, {"text": "b"}]}"#,
            "schedule.cron"
        ),
        (
            #"{"name": "N", "channels": ["x"], "schedule": {"cron": "0 9 * * *", "tz": "Mars/Olympus"}, "variants": [{"text": "a"}, {"text": "b"}]}"#,
            "schedule.tz"
        ),
        (#"{"name": 42, "channels": ["x"], "variants": [{"text": "a"}, {"text": "b"}]}"#, "name"),
        (#"{"name": "N", "channels": ["x"], "colour": "red", "variants": [{"text": "a"}, {"text": "b"}]}"#, "colour"),
        (#"{"name": "N", "channels": ["x"], "design": {"horizon": 50}, "variants": [{"text": "a"}, {"text": "b"}]}"#, "design.horizon"),
        (#"{"name": "N", "channels": ["x"], "design": {"horizon": 5000, "looks": [1]}, "variants": [{"text": "a"}, {"text": "b"}]}"#, "design.looks"),
    ])
    func invalidCampaignsNameTheField(body: String, field: String) async throws {
        try await TestServer.with { server in
            let token = try await server.token(workspace: "acme", role: .editor)
            let reply = try await server.send(.POST, "/v1/campaigns", token: token, json: body)
            #expect(reply.status == 422, "\(reply.text)")
            let error = try reply.error()
            #expect(error.code == "validation_failed")
            #expect(error.fields == [field], "\(reply.text)")
            #expect(try await server.count("SELECT count(*)::int FROM campaigns") == 0)
        }
    }

    @Test func malformedBodiesAreBadRequestsNeverServerErrors() async throws {
        try await TestServer.with(maximumBodyBytes: 64 << 10) { server in
            let token = try await server.token(workspace: "acme", role: .editor)
            let campaign = try await server.createCampaign(token: token)
            let id = try #require(campaign["id"] as? String)
            let bodies: [[UInt8]] = [
                Array("{not json".utf8), Array("[1, 2]".utf8), Array("\"just a string\"".utf8), [0xFF, 0xFE, 0x7B, 0x7D], [],
                Array(repeating: UInt8(ascii: "a"), count: 100 << 10),
                Array(repeating: UInt8(ascii: "["), count: 50_000), Array(String(repeating: #"{"a":"#, count: 10_000).utf8),
            ]
            for body in bodies {
                for path in ["/v1/campaigns", "/v1/campaigns/\(id)/variants", "/v1/campaigns/\(id)/schedules"] {
                    let reply = try await server.send(.POST, path, token: token, body: body)
                    #expect((400..<500).contains(reply.status), "\(path) with \(body.prefix(10)): \(reply.status) \(reply.text)")
                    #expect(try reply.error().message.isEmpty == false)
                }
                let patch = try await server.send(.PATCH, "/v1/campaigns/\(id)", token: token, body: body)
                #expect((400..<500).contains(patch.status))
            }
            #expect(try await server.count("SELECT count(*)::int FROM campaigns") == 1)
            #expect(try await server.count("SELECT count(*)::int FROM variants") == 2)
            #expect(try await server.count("SELECT count(*)::int FROM schedules") == 0)
        }
    }

    @Test func campaignPagesFollowCursorsWithoutGapsOrRepeats() async throws {
        try await TestServer.with { server in
            let token = try await server.token(workspace: "acme", role: .editor)
            for index in 0..<7 { _ = try await server.createCampaign(token: token, slug: "c\(index)") }
            var seen: [String] = []
            var cursor: String?
            repeat {
                let path = "/v1/campaigns?limit=3" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await server.send(.GET, path, token: token).json()
                seen += (page["campaigns"] as? [[String: Any]] ?? []).compactMap { $0["slug"] as? String }
                cursor = page["next_cursor"] as? String
            } while cursor != nil
            #expect(seen == (0..<7).reversed().map { "c\($0)" })
            let bad = try await server.send(.GET, "/v1/campaigns?cursor=garbage!", token: token)
            #expect(bad.status == 422)
            #expect(try bad.error().fields == ["cursor"])
            #expect(try await server.send(.GET, "/v1/campaigns?limit=0", token: token).status == 422)
        }
    }

    @Test func healthAndMetricsAnswer() async throws {
        try await TestServer.with { server in
            let health = try await server.send(.GET, "/healthz")
            #expect(health.status == 200)
            #expect(try health.json()["database"] as? String == "ok")
            _ = try await server.send(.GET, "/v1/campaigns")
            var metrics = try await server.send(.GET, "/metrics")
            // The database's gauges are read during the scrape. On a loaded machine a scrape can miss its connection
            // deadline (then `herald_database_up` is 0 and gauges never read yet are absent), so a later scrape is used.
            for _ in 0..<50 where metrics.text.contains("herald_database_up 0") {
                try await Task.sleep(for: .milliseconds(200))
                metrics = try await server.send(.GET, "/metrics")
            }
            #expect(metrics.status == 200)
            #expect(metrics.text.contains(#"herald_http_requests_total{method="GET",route="/v1/campaigns",status="401"} 1"#), "\(metrics.text)")
            #expect(metrics.text.contains("herald_http_request_duration_seconds_bucket"))
            #expect(metrics.text.contains(#"herald_jobs{state="pending"}"#))
            #expect(metrics.text.contains("herald_database_connections"))
            #expect(health.headers.first(name: "X-Request-Id")?.isEmpty == false)
        }
    }
}
