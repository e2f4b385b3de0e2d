import Foundation
import HeraldCore
import NIOHTTP1
import Storage
import Testing

/// `primary_metric: revenue` through the API: created, patched, and an unknown metric refused naming the field.
struct RevenueMetricTests {
    @Test func revenueIsAPrimaryMetric() async throws {
        try await TestServer.with { server in
            let token = try await server.token(workspace: "acme", role: .admin)
            let created = try await server.send(
                .POST,
                "/v1/campaigns",
                token: token,
                json:
                    #"{"name": "Basket", "primary_metric": "revenue", "channels": ["email"], "dry_run": true, "variants": [{"text": "One.", "subject": "One"}, {"text": "Two.", "subject": "Two"}]}"#
            )
            #expect(created.status == 201, "\(created.text)")
            #expect(try created.json()["primary_metric"] as? String == "revenue")

            _ = try await server.createCampaign(token: token)
            let patched = try await server.send(.PATCH, "/v1/campaigns/spring", token: token, json: #"{"primary_metric": "revenue"}"#)
            #expect(patched.status == 200)
            #expect(try patched.json()["primary_metric"] as? String == "revenue")
            let refused = try await server.send(.PATCH, "/v1/campaigns/spring", token: token, json: #"{"primary_metric": "sales"}"#)
            #expect(refused.status == 422)
            #expect(try refused.error().fields == ["primary_metric"])
            #expect(try refused.error().message.contains("revenue"))
        }
    }
}
