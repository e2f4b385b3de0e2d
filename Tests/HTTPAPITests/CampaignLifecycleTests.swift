import Foundation
import HTTPAPI
import HeraldCore
import NIOHTTP1
import PostgresNIO
import Storage
import Testing

/// The campaign model through the API: channel rules at creation, the lifecycle, the split and a fire.
@Suite struct CampaignLifecycleTests {
    @Test func channelRulesAreCheckedAtCreationNamingTheFieldAndTheRule() async throws {
        try await TestServer.with { server in
            let token = try await server.token(workspace: "acme", role: .editor)
            let long = String(repeating: "a", count: 400)
            let tooLong = try await server.send(
                .POST,
                "/v1/campaigns",
                token: token,
                json: #"{"name": "Long", "channels": ["x", "linkedin"], "variants": [{"text": "\#(long)"}]}"#
            )
            #expect(tooLong.status == 422)
            let refusal = try tooLong.error()
            #expect(refusal.fields == ["variants[0].text"])
            #expect(refusal.message.contains("for x: is 400 weighted characters; x allows at most 280"), "\(refusal.message)")

            // Written for LinkedIn only, the same text is fine; an email variant needs its subject.
            let linkedin = try await server.send(
                .POST,
                "/v1/campaigns",
                token: token,
                json:
                    #"{"name": "Long", "channels": ["x", "linkedin"], "variants": [{"text": "\#(long)", "channels": ["linkedin"]}, {"text": "Short.", "channels": ["x"]}]}"#
            )
            #expect(linkedin.status == 201, "\(linkedin.text)")
            let email = try await server.send(
                .POST,
                "/v1/campaigns/long/variants",
                token: token,
                json: #"{"text": "Hello", "channels": ["x", "email"]}"#
            )
            #expect(email.status == 422)
            #expect(try email.error().message.contains("email"), "\(email.text)")

            let added = try await server.send(
                .POST,
                "/v1/campaigns/long/variants",
                token: token,
                json: #"{"text": "Another short one.", "channels": ["x"]}"#
            )
            #expect(added.status == 201, "\(added.text)")
            #expect(try added.json()["channels"] as? [String] == ["x"])
            // A destination added later puts a tracking link in every post: a variant that no longer fits is refused.
            let full = String(repeating: "b", count: 270)
            let tight = try await server.send(
                .POST,
                "/v1/campaigns",
                token: token,
                json: #"{"name": "Tight", "channels": ["x"], "variants": [{"text": "\#(full)"}]}"#
            )
            #expect(tight.status == 201, "\(tight.text)")
            let patched = try await server.send(.PATCH, "/v1/campaigns/tight", token: token, json: #"{"destination": "https://shop.example.com"}"#)
            #expect(patched.status == 422, "\(patched.text)")
            #expect(try patched.error().message.contains("for x: is 294 weighted characters"), "\(patched.text)")
            let tooLongForX = try await server.send(
                .POST,
                "/v1/campaigns/long/variants",
                token: token,
                json: #"{"text": "\#(long)", "channels": ["x"]}"#
            )
            #expect(tooLongForX.status == 422)

            #expect(try tooLongForX.error().fields == ["text"])
        }
    }

    @Test func lifecycleSplitAndFireThroughTheAPI() async throws {
        try await TestServer.with { server in
            let token = try await server.token(workspace: "acme", role: .editor)
            let created = try await server.send(
                .POST,
                "/v1/campaigns",
                token: token,
                json:
                    #"{"name": "Spring", "channels": ["x", "email"], "destination": "https://shop.example.com", "status": "draft", "dry_run": true, "variants": [{"text": "A post", "channels": ["x"]}, {"text": "B post", "channels": ["x"]}, {"text": "Mail body", "subject": "Mail", "channels": ["email"]}]}"#
            )
            #expect(created.status == 201, "\(created.text)")
            #expect(try created.json()["status"] as? String == "draft")
            let early = try await server.send(.POST, "/v1/campaigns/spring/publish", token: token)
            #expect(early.status == 409)

            let started = try await server.send(.POST, "/v1/campaigns/spring/start", token: token)
            #expect(started.status == 200)

            #expect(try started.json()["status"] as? String == "scheduled")

            let split = try await server.send(.PUT, "/v1/campaigns/spring/split", token: token, json: #"{"weights": {"A": 1, "B": 0, "C": 1}}"#)
            #expect(split.status == 200, "\(split.text)")
            let starving = try await server.send(.PUT, "/v1/campaigns/spring/split", token: token, json: #"{"weights": {"A": 0, "B": 0, "C": 1}}"#)
            #expect(starving.status == 422)

            #expect(try starving.error().message.contains("leaves x without a variant"))

            for _ in 0..<2 {
                let fired = try await server.send(.POST, "/v1/campaigns/spring/publish", token: token)
                #expect(fired.status == 201, "\(fired.text)")
                let publications = try #require(try fired.json()["publications"] as? [[String: Any]])
                #expect(publications.map { $0["channel"] as? String }.sorted { ($0 ?? "") < ($1 ?? "") } == ["email", "x"])
                for publication in publications {
                    let text = try #require(publication["text"] as? String)
                    #expect(text.contains(try #require(publication["click_url"] as? String)))
                }
                try await Task.sleep(for: .milliseconds(5))
            }
            // With B's weight at 0, every X post is A.
            #expect(
                try await server.count(
                    "SELECT count(*)::int FROM publications p JOIN variants v ON v.id = p.variant_id WHERE p.channel = 'x' AND v.key = 'B'"
                ) == 0
            )
            #expect(try await server.send(.GET, "/v1/campaigns/spring", token: token).json()["status"] as? String == "running")

            let paused = try await server.send(.POST, "/v1/campaigns/spring/pause", token: token)
            #expect(try paused.json()["status"] as? String == "paused")
            #expect(try await server.count("SELECT count(*)::int FROM publications WHERE status = 'cancelled'") == 4)
            #expect(try await server.count("SELECT count(*)::int FROM jobs WHERE kind = 'publish' AND state = 'pending'") == 0)
            let again = try await server.send(.POST, "/v1/campaigns/spring/pause", token: token)
            #expect(again.status == 409)

            #expect(try again.error().message == "cannot pause a campaign that is paused; it can only resume or end")
            #expect(try await server.send(.POST, "/v1/campaigns/spring/resume", token: token).json()["status"] as? String == "running")
            #expect(try await server.send(.POST, "/v1/campaigns/spring/end", token: token).json()["status"] as? String == "ended")
            #expect(try await server.send(.POST, "/v1/campaigns/spring/archive", token: token).json()["status"] as? String == "archived")
            let listed = try await server.send(.GET, "/v1/campaigns", token: token).json()
            #expect((listed["campaigns"] as? [[String: Any]])?.first?["status"] as? String == "archived")
        }
    }
}
