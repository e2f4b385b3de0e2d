import Foundation
import HTTPAPI
import HeraldCore
import NIOHTTP1
import PostgresNIO
import Storage
import Testing

/// `POST /v1/campaigns/{campaign}/winner`: a person chooses a test-then-send campaign's winner.
@Suite struct CampaignWinnerAPITests {
    @Test func aNamedTokenChoosesTheWinnerOnceAndTheSecondChoiceIsAConflict() async throws {
        try await TestServer.with { server in
            let workspace = try await WorkspaceStore(server.database).ensure(slug: "acme")
            let token = try await TokenStore(server.database).create(workspace: workspace, role: .editor, name: "newsletter-desk").secret
            let campaign = try await server.createCampaign(token: token)
            let id = try #require(campaign["id"] as? String)

            // No test share yet: nothing to choose.
            let early = try await server.send(.POST, "/v1/campaigns/\(id)/winner", token: token, json: #"{"variant": "B"}"#)
            #expect(early.status == 409)
            #expect(try early.error().message.contains("campaign spring has no test share"), "\(early.text)")

            let store = CampaignStore(server.database, workspace: workspace)
            try await store.setAudience(try #require(CampaignID(id)), json: #"{"list": "newsletter", "test_share": 0.25, "decide_within": "2d"}"#)

            let unknown = try await server.send(.POST, "/v1/campaigns/spring/winner", token: token, json: #"{"variant": "Z"}"#)
            #expect(unknown.status == 422)
            #expect(try unknown.error().message.contains(#""Z" is not a variant of campaign spring (A, B)"#), "\(unknown.text)")
            let missing = try await server.send(.POST, "/v1/campaigns/spring/winner", token: token, json: #"{"reason": "no variant"}"#)
            #expect(missing.status == 422)
            #expect(try missing.error().fields == ["variant"])

            let chosen = try await server.send(
                .POST,
                "/v1/campaigns/spring/winner",
                token: token,
                json: #"{"variant": "B", "reason": "B <b>reads</b> better"}"#
            )
            #expect(chosen.status == 201, "\(chosen.text)")
            let body = try chosen.json()
            #expect(body["campaign"] as? String == "spring")
            #expect(body["variant"] as? String == "B")
            #expect(body["chosen_by"] as? String == "newsletter-desk")
            #expect(body["reason"] as? String == "B <b>reads</b> better")
            #expect(body["chosen_at"] is String)
            #expect(try await server.count("SELECT count(*)::int FROM jobs WHERE kind = 'send_audience'") == 1)

            let again = try await server.send(.POST, "/v1/campaigns/spring/winner", token: token, json: #"{"variant": "A"}"#)
            #expect(again.status == 409)
            let message = try again.error().message
            #expect(message.hasPrefix("campaign spring already has a winner: B, chosen by newsletter-desk at "), "\(message)")
            #expect(try await server.count("SELECT count(*)::int FROM jobs WHERE kind = 'send_audience'") == 1)
            #expect(try await store.testPhase(of: try #require(CampaignID(id)))?.winner?.variantKey == "B")
        }
    }

    @Test func aTokenWithoutANameChoosesAsAPersonAndAViewerCannot() async throws {
        try await TestServer.with { server in
            let token = try await server.token(workspace: "acme", role: .editor)
            let viewer = try await server.token(workspace: "acme", role: .viewer)
            _ = try await server.createCampaign(token: token)
            let workspace = try await WorkspaceStore(server.database).ensure(slug: "acme")
            let store = CampaignStore(server.database, workspace: workspace)
            try await store.setAudience(try await store.find("spring").id, json: #"{"list": "newsletter", "test_share": 0.2}"#)

            let refused = try await server.send(.POST, "/v1/campaigns/spring/winner", token: viewer, json: #"{"variant": "A"}"#)
            #expect(refused.status == 403)
            let chosen = try await server.send(.POST, "/v1/campaigns/spring/winner", token: token, json: #"{"variant": "A"}"#)
            #expect(chosen.status == 201)
            #expect(try chosen.json()["chosen_by"] as? String == "person")
            #expect(try chosen.json()["reason"] as? String == "chosen by hand")
        }
    }
}
