import Foundation
import HTTPAPI
import HeraldCore
import HeraldTestSupport
import Jobs
import NIOHTTP1
import Storage
import Testing

/// A campaign's autopilot through the API: set the mode and rails, read the plan, apply, dismiss and undo its actions.
@Suite struct AutopilotAPITests {
    @Test func setReadApplyDismissAndUndoThroughTheAPI() async throws {
        try await TestServer.with { server in
            let workspace = try await WorkspaceStore(server.database).ensure(slug: "acme")
            let token = try await TokenStore(server.database).create(workspace: workspace, role: .editor, name: "growth-desk").secret
            let viewer = try await server.token(workspace: "acme", role: .viewer)
            let other = try await server.token(workspace: "other", role: .admin)
            _ = try await server.createCampaign(token: token)

            let bad = try await server.send(.PUT, "/v1/campaigns/spring/autopilot", token: token, json: #"{"mode": "on"}"#)
            #expect(bad.status == 422)
            #expect(try bad.error().fields == ["mode"])
            let badRail = try await server.send(
                .PUT,
                "/v1/campaigns/spring/autopilot",
                token: token,
                json: #"{"mode": "auto", "rails": {"maximum_shift": 3}}"#
            )
            #expect(badRail.status == 422)
            #expect(try badRail.error().fields == ["rails.maximum_shift"], "\(badRail.text)")
            #expect(try await server.send(.PUT, "/v1/campaigns/spring/autopilot", token: viewer, json: #"{"mode": "auto"}"#).status == 403)
            #expect(try await server.send(.GET, "/v1/campaigns/spring/autopilot", token: other).status == 404)

            let set = try await server.send(
                .PUT,
                "/v1/campaigns/spring/autopilot",
                token: token,
                json: #"{"mode": "suggest", "rails": {"minimum_sample": 500, "challenger_budget": 0}}"#
            )
            #expect(set.status == 200, "\(set.text)")
            let shown = try set.json()
            #expect(shown["mode"] as? String == "suggest")
            #expect((shown["rails"] as? [String: Any])?["minimum_sample"] as? Int == 500)

            // An analysis with a clear loser (B at half A's rate), then autopilot in suggest mode.
            let store = CampaignStore(server.database, workspace: workspace)
            let campaign = try await store.find("spring")
            let start = Date(timeIntervalSince1970: 1_772_323_200)
            let events = TestEvents.engagement(campaign.variants.map(\.id), rates: [0.05, 0.025], from: start)
            _ = try await EventIngestor(server.database, workspace: workspace).ingest(events)
            let now = start.addingTimeInterval(4 * 86_400)
            let analysis = try await CampaignAnalysis(database: server.database, workspace: workspace).analyze(campaign, now: now)
            let outcome = try await AutopilotRunner(database: server.database, workspace: workspace, logger: TestDatabase.logger)
                .run(after: analysis, now: now)
            let action = try #require(outcome.recorded.first)
            #expect(action.state == "pending")

            let read = try await server.send(.GET, "/v1/campaigns/spring/autopilot", token: viewer)
            #expect(read.status == 200)
            #expect(((try read.json()["actions"]) as? [[String: Any]])?.first?["state"] as? String == "pending")
            #expect(try await server.send(.POST, "/v1/autopilot/actions/\(action.id)/apply", token: viewer).status == 403)
            #expect(try await server.send(.POST, "/v1/autopilot/actions/\(action.id)/apply", token: other).status == 404)
            #expect(try await server.send(.POST, "/v1/autopilot/actions/not-an-id/apply", token: token).status == 422)

            let applied = try await server.send(.POST, "/v1/autopilot/actions/\(action.id)/apply", token: token)
            #expect(applied.status == 200, "\(applied.text)")
            #expect(try applied.json()["decided_by"] as? String == "token:growth-desk")
            #expect(try applied.json()["state"] as? String == "applied")
            let again = try await server.send(.POST, "/v1/autopilot/actions/\(action.id)/dismiss", token: token)
            #expect(again.status == 409)
            #expect(try again.error().message.contains("is applied by token:growth-desk"), "\(again.text)")
            let undone = try await server.send(.POST, "/v1/autopilot/actions/\(action.id)/undo", token: token)
            #expect(undone.status == 200, "\(undone.text)")
            #expect(try undone.json()["undone_by"] as? String == "token:growth-desk")
            let periods = try await server.send(.GET, "/v1/campaigns/spring/autopilot", token: token).json()["periods"] as? [Any]
            #expect(periods?.count == 2)
        }
    }
    /// A pending schedule move applied and undone through the API: the campaign's schedule and its stored schedule's
    /// next fire follow the move, and come back on undo.
    @Test func aScheduleMoveIsAppliedAndUndoneThroughTheAPI() async throws {
        try await TestServer.with { server in
            let workspace = try await WorkspaceStore(server.database).ensure(slug: "acme")
            let token = try await TokenStore(server.database).create(workspace: workspace, role: .editor, name: "growth-desk").secret
            let created = try await server.send(
                .POST,
                "/v1/campaigns",
                token: token,
                json:
                    #"{"name": "Autumn", "slug": "autumn", "channels": ["mastodon"], "dry_run": true, "schedule": {"cron": "30 9 * * MON-FRI", "tz": "Europe/Berlin"}, "variants": [{"text": "Trail season is here."}, {"text": "Ready for your first ultra?"}]}"#
            )
            #expect(created.status == 201, "\(created.text)")
            let store = CampaignStore(server.database, workspace: workspace)
            let campaign = try await store.find("autumn")
            let now = Date()
            _ = try await EventIngestor(server.database, workspace: workspace).ingest(
                campaign.variants.map {
                    EngagementEvent(id: EventID(UUID()), variantID: $0.id, kind: .impression, occurredAt: now.addingTimeInterval(-3_600))
                }
            )
            let analysis = try await CampaignAnalysis(database: server.database, workspace: workspace).analyze(campaign, now: now)
            let autopilot = AutopilotStore(server.database, workspace: workspace)
            let json = #"{"from": [9, 33, 57, 81, 105], "hours": [43, 91], "kind": "move_schedule", "reason": "Evenings stand out."}"#
            let action = try #require(
                try await autopilot.record(
                    [.init(kind: "move_schedule", json: json, reason: "Evenings stand out.")],
                    campaign: campaign.id,
                    analysis: analysis.analysisID,
                    at: now
                )
                .first
            )

            let applied = try await server.send(.POST, "/v1/autopilot/actions/\(action.id)/apply", token: token)
            #expect(applied.status == 200, "\(applied.text)")
            #expect(try applied.json()["state"] as? String == "applied")
            #expect(try await store.find(campaign.id).schedule?.cron == "30 19 * * TUE,THU")
            let moved = try #require(try await ScheduleStore(server.database).list(workspace: workspace, campaign: campaign.id).first)
            #expect(moved.rule == "30 19 * * TUE,THU")
            let next = try #require(moved.nextFireAt)
            #expect(next > now && next <= now.addingTimeInterval(7 * 86_400))
            let again = try await server.send(.POST, "/v1/autopilot/actions/\(action.id)/apply", token: token)
            #expect(again.status == 409, "\(again.text)")

            let undone = try await server.send(.POST, "/v1/autopilot/actions/\(action.id)/undo", token: token)
            #expect(undone.status == 200, "\(undone.text)")
            #expect(try await store.find(campaign.id).schedule?.cron == "30 9 * * MON-FRI")
            let back = try #require(try await ScheduleStore(server.database).list(workspace: workspace, campaign: campaign.id).first)
            #expect(back.rule == "30 9 * * MON-FRI")
            #expect(try #require(back.nextFireAt) > now)
        }
    }
}
