import Foundation
import HTTPAPI
import HeraldCore
import Hummingbird
import NIOHTTP1
import PostgresNIO
import Storage
import Testing

/// Through the API: tracking hits and batch rows record their publication and channel, and analyses read per channel.
@Suite struct EventChannelAPITests {
    static let browser = TrackingTests.browser

    /// Creates a publication of `variant` (A, B) on `channel` and answers its id and tracking code.
    func publish(
        _ server: TestServer,
        token: String,
        variant: String,
        channel: String,
        campaign: String = "spring"
    ) async throws -> (id: String, code: String) {
        let reply = try await server.send(
            .POST,
            "/v1/campaigns/\(campaign)/publications",
            token: token,
            json: #"{"variant": "\#(variant)", "channel": "\#(channel)"}"#
        )
        #expect(reply.status == 201, "\(reply.text)")
        let object = try reply.json()
        return (try #require(object["id"] as? String).lowercased(), try #require(object["tracking_code"] as? String))
    }

    func row(_ variant: String, kind: String = "click", publication: String? = nil) -> String {
        let named = publication.map { #", "publication_id": "\#($0)""# } ?? ""
        return #"{"id": "\#(UUID())", "variant_id": "\#(variant)", "kind": "\#(kind)", "occurred_at": "\#(Timestamp.format(Date()))"\#(named)}"#
    }

    @Test func clicksAndBatchRowsAreAttributedToTheirPublicationAndChannel() async throws {
        try await TestServer.live { server in
            let token = try await server.token(workspace: "acme", role: .editor)
            let variants = EventIngestTests.variants(of: try await server.createCampaign(token: token))
            let ax = try await publish(server, token: token, variant: "A", channel: "x")
            let be = try await publish(server, token: token, variant: "B", channel: "email")

            let click = try await server.send(.GET, "/r/\(be.code)", headers: [("User-Agent", Self.browser)])
            #expect(click.status == 302)
            let pixel = try await server.send(.GET, "/p/\(ax.code).gif", headers: [("User-Agent", Self.browser)])
            #expect(pixel.status == 200)
            #expect(
                try await server.count(
                    "SELECT count(*)::int FROM events WHERE kind = 'click' AND channel = 'email' AND publication_id::text = \(be.id)"
                ) == 1
            )
            #expect(
                try await server.count(
                    "SELECT count(*)::int FROM events WHERE kind = 'impression' AND channel = 'x' AND publication_id::text = \(ax.id)"
                ) == 1
            )
            #expect(try await server.count("SELECT sum(count)::int FROM variant_hourly WHERE channel = 'email' AND kind = 'click'") == 1)

            // A batch naming publications, and rows naming none: all stored, each under its channel.
            let batch = [
                row(variants[0], kind: "impression", publication: ax.id), row(variants[1], kind: "impression", publication: be.id),
                row(variants[1], kind: "impression"),
            ]
            let accepted = try await server.send(.POST, "/v1/events", token: token, json: "[" + batch.joined(separator: ",") + "]")
            #expect(accepted.status == 202, "\(accepted.text)")
            #expect(try await server.count("SELECT count(*)::int FROM events WHERE channel = ''") == 1)
            #expect(try await server.count("SELECT sum(count)::int FROM variant_hourly WHERE channel = 'x' AND kind = 'impression'") == 2)

            // A row naming another variant's publication, or another workspace's: the whole batch is refused.
            let otherToken = try await server.token(workspace: "rival", role: .editor)
            _ = try await server.createCampaign(token: otherToken, slug: "rival")
            let foreign = try await publish(server, token: otherToken, variant: "A", channel: "x", campaign: "rival")
            let refusedBatch = [row(variants[0]), row(variants[0], publication: be.id), row(variants[0], publication: foreign.id)]
            let refused = try await server.send(.POST, "/v1/events", token: token, json: "[" + refusedBatch.joined(separator: ",") + "]")
            #expect(refused.status == 422)
            let details = (try refused.json()["error"] as? [String: Any])?["details"] as? [[String: Any]] ?? []
            #expect(details.map { $0["location"] as? String } == ["row 2", "row 3"])
            #expect(details.map { $0["field"] as? String } == ["publication_id", "publication_id"])
            #expect(
                (details.first?["reason"] as? String ?? details.first?["message"] as? String ?? "").contains(
                    "is a publication of variant B, not of A"
                )
            )
            #expect(try await server.count("SELECT count(*)::int FROM events") == 5)

            // The analysis stores the per-channel results beside the pooled score.
            let analyzed = try await server.send(.POST, "/v1/campaigns/spring/analyses", token: token)
            #expect(analyzed.status == 201, "\(analyzed.text)")
            let analyses = try await server.send(.GET, "/v1/campaigns/spring/analyses", token: token)
            let latest = try #require((try analyses.json()["analyses"] as? [[String: Any]])?.first)
            let channels = try #require((latest["result"] as? [String: Any])?["channels"] as? [String: Any])
            let names = (channels["channels"] as? [[String: Any]] ?? []).compactMap { $0["channel"] as? String }
            #expect(Set(names) == ["x", "email", ""])
            #expect((channels["decision"] as? String)?.hasPrefix("The decision is made on all channels pooled") == true)
        }
    }
}
