import Foundation
import HTTPAPI
import HeraldCore
import NIOHTTP1
import PostgresNIO
import Testing

@testable import Storage

/// Nothing silent through the API: the workspace's publications by state, sending a failed one again, lifecycle
/// webhooks, and publications and accounts in `/metrics`.
@Suite struct PublicationRetryAPITests {
    /// Publishes the test campaign once (x and email) and marks its x publication failed with the platform's reason.
    /// - Returns: The failed publication's id and how many publications the fire made.
    func failedPublication(_ server: TestServer, token: String) async throws -> (id: String, total: Int) {
        _ = try await server.createCampaign(token: token)
        let fired = try await server.send(.POST, "/v1/campaigns/spring/publish", token: token)
        #expect(fired.status == 201, "\(fired.text)")
        let publications = try #require(try fired.json()["publications"] as? [[String: Any]])
        let x = try #require(publications.first { $0["channel"] as? String == "x" }?["id"] as? String)
        let id = try #require(UUID(uuidString: x))
        try await server.database.client.execute(
            "UPDATE publications SET status = 'failed', failure_class = 'rejected_content', error = 'Status is a duplicate' WHERE id = \(id)",
            logger: server.database.logger
        )
        return (x, publications.count)
    }

    @Test func failedPublicationsAreListedAndSentAgainOnce() async throws {
        try await TestServer.with { server in
            let token = try await server.token(workspace: "acme", role: .editor)
            let viewer = try await server.token(workspace: "acme", role: .viewer)
            let (failed, total) = try await failedPublication(server, token: token)

            let listed = try await server.send(.GET, "/v1/publications?state=failed", token: token)
            #expect(listed.status == 200, "\(listed.text)")
            let rows = try #require(try listed.json()["publications"] as? [[String: Any]])
            #expect(rows.count == 1)
            #expect(rows.first?["id"] as? String == failed)
            #expect(rows.first?["campaign"] as? String == "spring" && rows.first?["variant"] as? String != nil)
            #expect(rows.first?["failure_class"] as? String == "rejected_content")
            #expect(rows.first?["error"] as? String == "Status is a duplicate")
            #expect(try await server.send(.GET, "/v1/publications?campaign=spring", token: token).json()["publications"] as? [Any] != nil)
            #expect(
                (try await server.send(.GET, "/v1/publications?state=scheduled&campaign=spring", token: token).json()["publications"] as? [Any])?
                    .count == total - 1
            )
            #expect(try await server.send(.GET, "/v1/publications?state=publishing", token: token).status == 422)
            #expect(try await server.send(.GET, "/v1/publications?campaign=nope", token: token).status == 404)
            // Another workspace sees none of them.
            let other = try await server.token(workspace: "other", role: .editor)
            #expect((try await server.send(.GET, "/v1/publications", token: other).json()["publications"] as? [Any])?.isEmpty == true)
            #expect(try await server.send(.POST, "/v1/publications/\(failed)/retry", token: other).status == 404)

            #expect(try await server.send(.POST, "/v1/publications/\(failed)/retry", token: viewer).status == 403)
            let retried = try await server.send(.POST, "/v1/publications/\(failed)/retry", token: token)
            #expect(retried.status == 200, "\(retried.text)")
            #expect(try retried.json()["status"] as? String == "scheduled")
            #expect(try retried.json()["error"] == nil)
            let again = try await server.send(.POST, "/v1/publications/\(failed)/retry", token: token)
            #expect(again.status == 409)
            #expect(try again.error().message.contains("scheduled"))
            #expect(try await server.send(.POST, "/v1/publications/\(UUID().uuidString)/retry", token: token).status == 404)
            #expect(try await server.send(.POST, "/v1/publications/nope/retry", token: token).status == 404)
        }
    }

    @Test func webhooksAreAddedListedAndRemovedWithoutTheirSecret() async throws {
        try await TestServer.with { server in
            let token = try await server.token(workspace: "acme", role: .editor)
            let created = try await server.send(
                .POST,
                "/v1/webhooks",
                token: token,
                json: #"{"url": "https://hooks.example.com/herald", "secret_env": "HERALD_WEBHOOK_OPS", "events": ["publication.failed"]}"#
            )
            #expect(created.status == 201, "\(created.text)")
            let id = try #require(try created.json()["id"] as? String)
            #expect(try created.json()["events"] as? [String] == ["publication.failed"])
            let all = try await server.send(
                .POST,
                "/v1/webhooks",
                token: token,
                json: #"{"url": "https://hooks.example.com/all", "secret_env": "HERALD_WEBHOOK_OPS"}"#
            )
            #expect(try all.json()["events"] as? [String] == LifecycleEventType.allCases.map(\.rawValue))
            let badSecret = try await server.send(
                .POST,
                "/v1/webhooks",
                token: token,
                json: #"{"url": "https://hooks.example.com/x", "secret_env": "DATABASE_URL"}"#
            )
            #expect(badSecret.status == 422)
            #expect(try badSecret.error().fields == ["secret_env"])
            let badEvent = try await server.send(
                .POST,
                "/v1/webhooks",
                token: token,
                json: #"{"url": "https://hooks.example.com/x", "secret_env": "HERALD_WEBHOOK_OPS", "events": ["publication.exploded"]}"#
            )
            #expect(badEvent.status == 422)
            let list = try await server.send(.GET, "/v1/webhooks", token: token)
            #expect((try list.json()["webhooks"] as? [[String: Any]])?.count == 2)
            #expect(try await server.send(.DELETE, "/v1/webhooks/\(id)", token: token).status == 204)
            #expect(try await server.send(.DELETE, "/v1/webhooks/\(id)", token: token).status == 404)
            #expect((try await server.send(.GET, "/v1/webhooks", token: token).json()["webhooks"] as? [[String: Any]])?.count == 1)
        }
    }

    /// The metrics as read from the database: a scrape that missed its 2 s deadline on a loaded machine serves the last
    /// values with `herald_database_up 0`, so it is read again.
    private func scrape(_ server: TestServer) async throws -> String {
        var text = ""
        for _ in 0..<30 {
            text = try await server.send(.GET, "/metrics").text
            if text.contains("herald_database_up 1.0") { break }
        }
        return text
    }

    @Test func metricsCountPublicationsByConnectorAndStateAndAccountsByHealth() async throws {
        try await TestServer.with { server in
            let token = try await server.token(workspace: "acme", role: .editor)
            let (_, total) = try await failedPublication(server, token: token)
            let metrics = try await scrape(server)
            #expect(metrics.contains(#"herald_publications{connector="dry_run",state="failed"} 1.0"#), "\(metrics)")
            #expect(metrics.contains("herald_publications{connector=\"dry_run\",state=\"scheduled\"} \(total - 1).0"))
            #expect(metrics.contains(#"herald_publications{connector="mastodon",state="published"} 0.0"#))
            #expect(metrics.contains(#"herald_accounts{kind="mastodon",health="needs_reconnect"} 0.0"#))
            // Counted in the database at each scrape: a change shows at the next one.
            try await server.database.client.execute("UPDATE publications SET status = 'cancelled'", logger: server.database.logger)
            let later = try await scrape(server)
            #expect(later.contains(#"herald_publications{connector="dry_run",state="failed"} 0.0"#))
            #expect(later.contains("herald_publications{connector=\"dry_run\",state=\"cancelled\"} \(total).0"))
        }
    }

    @Test func campaignsShowNamesADryRun() async throws {
        try await TestServer.with { server in
            let token = try await server.token(workspace: "acme", role: .editor)
            let created = try await server.createCampaign(token: token)
            #expect(created["dry_run"] as? Bool == true)
            try await server.database.client.execute("UPDATE campaigns SET dry_run = false", logger: server.database.logger)
            #expect(try await server.send(.GET, "/v1/campaigns/spring", token: token).json()["dry_run"] as? Bool == false)
        }
    }
}
