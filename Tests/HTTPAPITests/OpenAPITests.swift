import Foundation
import HTTPAPI
import HeraldCore
import HeraldTestSupport
import Hummingbird
import NIOHTTP1
import Storage
import Testing
import Yams

@Suite struct OpenAPITests {
    /// `openapi.yaml` at the top of the repository.
    static func document() throws -> [String: Any] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("openapi.yaml"), encoding: .utf8)
        return try #require(try Yams.load(yaml: text) as? [String: Any])
    }

    /// Method and path of every operation the document describes, e.g. `GET /v1/campaigns/{campaign}`.
    static func operations(_ document: [String: Any]) -> [String: [String: Any]] {
        var operations: [String: [String: Any]] = [:]
        for (path, item) in document["paths"] as? [String: Any] ?? [:] {
            for (method, operation) in item as? [String: Any] ?? [:] where method != "parameters" {
                operations["\(method.uppercased()) \(path)"] = operation as? [String: Any] ?? [:]
            }
        }
        return operations
    }

    @Test func everyRouteIsDescribedAndEveryDescriptionIsARoute() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let router = HeraldServer.buildRouter(database: database, settings: ServerSettings(), metrics: ServiceMetrics())
            // The back office's pages under /app (WebApp) are for people in a browser, not the API: README and
            // docs/architecture.md describe them.
            let routes = Set(router.routes.map { "\($0.method.rawValue) \(Self.normalise("\($0.path)"))" }.filter { !$0.contains(" /app") })
            let described = Set(Self.operations(try Self.document()).keys)
            #expect(routes.subtracting(described).isEmpty, "routes missing from openapi.yaml: \(routes.subtracting(described).sorted())")
            #expect(
                described.subtracting(routes).isEmpty,
                "openapi.yaml describes routes that do not exist: \(described.subtracting(routes).sorted())"
            )
        }
    }

    /// Every status the server answered during a tour of the API is documented for its route.
    @Test func everyAnsweredStatusIsDocumented() async throws {
        try await TestServer.with(maximumBodyBytes: 64 << 10) { server in
            let token = try await server.token(workspace: "acme", role: .editor)
            let viewer = try await server.token(workspace: "acme", role: .viewer)
            let campaign = try await server.createCampaign(token: token)
            let id = try #require(campaign["id"] as? String)
            let variant = try #require((campaign["variants"] as? [[String: Any]])?.first?["id"] as? String)
            let tour: [(HTTPMethod, String, String?, String?)] = [
                (.GET, "/healthz", nil, nil), (.GET, "/metrics", nil, nil), (.GET, "/v1/workspace", token, nil),
                (.GET, "/v1/campaigns", token, nil), (.GET, "/v1/campaigns", nil, nil), (.GET, "/v1/campaigns?limit=abc", token, nil),
                (.POST, "/v1/campaigns", token, "{}"), (.POST, "/v1/campaigns", token, "nope"), (.POST, "/v1/campaigns", viewer, "{}"),
                (.GET, "/v1/campaigns/\(id)", token, nil), (.GET, "/v1/campaigns/nope", token, nil),
                (.PATCH, "/v1/campaigns/\(id)", token, #"{"name": "x"}"#), (.PATCH, "/v1/campaigns/\(id)", token, #"{"name": 1}"#),
                (.GET, "/v1/campaigns/\(id)/variants", token, nil), (.POST, "/v1/campaigns/\(id)/variants", token, #"{"text": "third"}"#),
                (.PATCH, "/v1/campaigns/\(id)/variants/C", token, #"{"text": "third, edited"}"#),
                (.PATCH, "/v1/campaigns/\(id)/variants/Z", token, #"{"text": "nothing"}"#),
                (.GET, "/v1/reviews", token, nil), (.GET, "/v1/variants/\(variant)/approval", token, nil),
                (.GET, "/v1/variants/\(UUID().uuidString)/approval", token, nil),
                (.POST, "/v1/variants/\(variant)/approval", token, #"{"decision": "approve"}"#),
                (.POST, "/v1/variants/\(variant)/approval", token, #"{"decision": "maybe"}"#),
                (.DELETE, "/v1/campaigns/\(id)/variants/C", token, nil), (.DELETE, "/v1/campaigns/\(id)/variants/A", token, nil),
                (.DELETE, "/v1/campaigns/\(id)/variants/Z", token, nil),
                (.GET, "/v1/campaigns/\(id)/channels", token, nil), (.PUT, "/v1/campaigns/\(id)/channels", token, #"{"channels": ["x"]}"#),
                (.PUT, "/v1/campaigns/\(id)/channels", token, #"{"channels": ["fax"]}"#),
                (.POST, "/v1/campaigns/\(id)/schedules", token, #"{"rule": "@daily"}"#),
                (.POST, "/v1/campaigns/\(id)/schedules", token, #"{"rule": "bad"}"#),
                (.GET, "/v1/campaigns/\(id)/schedules", token, nil), (.GET, "/v1/schedules", token, nil),
                (.GET, "/v1/schedules/\(UUID().uuidString)", token, nil), (.DELETE, "/v1/schedules/\(UUID().uuidString)", token, nil),
                (.POST, "/v1/campaigns/\(id)/publications", token, #"{"variant": "A", "channel": "x"}"#),
                (.POST, "/v1/campaigns/\(id)/publications", token, #"{"variant": "Q", "channel": "x"}"#),
                (.GET, "/v1/campaigns/\(id)/publications", token, nil),
                (
                    .POST, "/v1/events", token,
                    #"[{"id": "\#(UUID().uuidString)", "variant_id": "\#(variant)", "kind": "impression", "occurred_at": "\#(Timestamp.format(Date()))"}]"#
                ),
                (.POST, "/v1/events", token, "[{]"), (.POST, "/v1/events", token, #"[{"id": 1}]"#),
                (.POST, "/v1/events", token, String(repeating: " ", count: 70 << 10)),
                (.POST, "/v1/campaigns/\(id)/analyses", token, nil), (.GET, "/v1/campaigns/\(id)/analyses", token, nil),
                (.GET, "/r/unknown", nil, nil), (.GET, "/p/unknown.gif", nil, nil), (.HEAD, "/r/unknown", nil, nil),
                (.HEAD, "/p/unknown.gif", nil, nil),
                (.GET, "/v1/publications?state=failed", token, nil), (.GET, "/v1/publications?state=bogus", token, nil),
                (.POST, "/v1/publications/\(UUID().uuidString)/retry", token, nil), (.GET, "/v1/webhooks", token, nil),
                (.POST, "/v1/webhooks", token, #"{"url": "https://hooks.example.com/h", "secret_env": "HERALD_WEBHOOK_OPS"}"#),
                (.POST, "/v1/webhooks", token, "{}"), (.DELETE, "/v1/webhooks/\(UUID().uuidString)", token, nil),
                (.DELETE, "/v1/campaigns/\(id)", token, nil),
                (.GET, "/v1/channels", token, nil),
                (
                    .POST, "/v1/channels", token,
                    #"{"name": "hooks", "kind": "webhook", "base_url": "https://hooks.example/in", "credentials": {"signing_secret": "s"}}"#
                ),
                (.POST, "/v1/channels", token, #"{"name": "hooks", "kind": "fax", "base_url": "https://x.example", "credentials": {}}"#),
                (.POST, "/v1/channels", token, "nope"), (.POST, "/v1/channels", viewer, "{}"),
                (
                    .POST, "/v1/channels", token,
                    #"{"name": "hooks", "kind": "mastodon", "base_url": "https://m.example", "credentials": {"access_token": "t"}}"#
                ),
                (.DELETE, "/v1/channels/hooks", token, nil), (.DELETE, "/v1/channels/hooks", token, nil),
            ]
            for (method, path, bearer, body) in tour {
                _ = try await server.send(method, path, token: bearer, body: body.map { Array($0.utf8) })
            }
            let operations = Self.operations(try Self.document())
            let metrics = try await server.send(.GET, "/metrics").text
            var checked = 0
            for line in metrics.split(separator: "\n") where line.hasPrefix("herald_http_requests_total{") {
                let labels = Self.labels(String(line))
                guard let method = labels["method"], let route = labels["route"], let status = labels["status"], route != "unmatched" else {
                    continue
                }
                let operation = operations["\(method) \(Self.normalise(route))"]
                let responses = operation?["responses"] as? [String: Any] ?? [:]
                #expect(responses[status] != nil, "\(method) \(route) answered \(status), which openapi.yaml does not document")
                checked += 1
            }
            #expect(checked >= 30, "only \(checked) route and status pairs were seen")
        }
    }

    /// `{name}` for Hummingbird's `:name`, without a trailing slash.
    static func normalise(_ path: String) -> String {
        let parts = path.split(separator: "/").map { part in part.hasPrefix(":") ? "{\(part.dropFirst())}" : String(part) }
        return "/" + parts.joined(separator: "/")
    }

    static func labels(_ line: String) -> [String: String] {
        guard let open = line.firstIndex(of: "{"), let close = line.lastIndex(of: "}") else { return [:] }
        var labels: [String: String] = [:]
        for pair in line[line.index(after: open)..<close].split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { labels[String(parts[0])] = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        }
        return labels
    }
}
