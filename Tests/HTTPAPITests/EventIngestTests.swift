import Foundation
import HTTPAPI
import HeraldCore
import Hummingbird
import NIOHTTP1
import PostgresNIO
import Storage
import Testing

@Suite struct EventIngestTests {
    /// A JSON array of events for `variants`, with ids from `ids`.
    static func batch(_ ids: [UUID], variants: [String], kind: String = "impression", at time: Date = Date()) -> String {
        let rows = ids.enumerated().map { index, id in
            #"{"id": "\#(id.uuidString)", "variant_id": "\#(variants[index % variants.count])", "kind": "\#(kind)", "occurred_at": "\#(Timestamp.format(time))"}"#
        }
        return "[" + rows.joined(separator: ",") + "]"
    }

    static func variants(of campaign: [String: Any]) -> [String] {
        (campaign["variants"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }

    @Test func batchesAreAtomicAndReplaysCountAsDuplicates() async throws {
        try await TestServer.with { server in
            let token = try await server.token(workspace: "acme", role: .editor)
            let variants = Self.variants(of: try await server.createCampaign(token: token))
            let ids = (0..<100).map { _ in UUID() }
            let first = try await server.send(.POST, "/v1/events", token: token, json: Self.batch(ids, variants: variants))
            #expect(first.status == 202, "\(first.text)")
            #expect(try first.json()["accepted"] as? Int == 100)
            #expect(try first.json()["duplicates"] as? Int == 0)
            // The same batch again, and as NDJSON: all duplicates, nothing counted twice.
            let replay = try await server.send(.POST, "/v1/events", token: token, json: Self.batch(ids, variants: variants))
            #expect(try replay.json()["accepted"] as? Int == 0)
            #expect(try replay.json()["duplicates"] as? Int == 100)
            let ndjson = Self.batch(Array(ids.prefix(10)), variants: variants).dropFirst().dropLast()
                .replacingOccurrences(of: "},{", with: "}\n{")
            let lines = try await server.send(.POST, "/v1/events", token: token, json: ndjson, headers: [("Content-Type", "application/x-ndjson")])
            #expect(lines.status == 202, "\(lines.text)")
            #expect(try lines.json()["duplicates"] as? Int == 10)
            #expect(try await server.count("SELECT count(*)::int FROM events") == 100)
            #expect(try await server.count("SELECT sum(count)::int FROM variant_hourly") == 100)

            // One bad row in the middle: the whole batch is refused, the row named, nothing written.
            var rows = (0..<50).map { _ in UUID() }.map { id in
                #"{"id": "\#(id.uuidString)", "variant_id": "\#(variants[0])", "kind": "click", "occurred_at": "\#(Timestamp.format(Date()))"}"#
            }
            rows[30] =
                #"{"id": "\#(UUID().uuidString)", "variant_id": "\#(variants[0])", "kind": "clik", "occurred_at": "\#(Timestamp.format(Date()))"}"#
            let refused = try await server.send(.POST, "/v1/events", token: token, json: "[" + rows.joined(separator: ",") + "]")
            #expect(refused.status == 422)
            let body = try refused.json()["error"] as? [String: Any]
            let details = body?["details"] as? [[String: Any]] ?? []
            #expect(details.count == 1)
            #expect(details.first?["location"] as? String == "row 31")
            #expect(details.first?["field"] as? String == "kind")
            #expect(try await server.count("SELECT count(*)::int FROM events") == 100)
            #expect(try await server.count("SELECT count(*)::int FROM event_ids") == 100)
        }
    }

    /// Over a real socket: fifty clients at once.
    @Test func fiftyConcurrentClientsWithOverlappingBatchesCountEachEventOnce() async throws {
        try await TestServer.live { server in
            let token = try await server.token(workspace: "acme", role: .editor)
            let variants = Self.variants(of: try await server.createCampaign(token: token))
            // 2,000 distinct events; each client posts a window of 200 that overlaps its neighbours', twice.
            let ids = (0..<2_000).map { _ in UUID() }
            let start = Date().addingTimeInterval(-3_600)
            let results = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
                for client in 0..<50 {
                    group.addTask {
                        var accepted = 0
                        var duplicates = 0
                        for round in 0..<2 {
                            let offset = (client * 40 + round * 17) % (ids.count - 200)
                            let window = Array(ids[offset..<(offset + 200)])
                            // As a client should: a 503 (the ingest missed its deadline on a loaded machine) wrote
                            // nothing, and the same batch is sent again. The totals below prove nothing was written twice.
                            var reply = try await server.send(
                                .POST,
                                "/v1/events",
                                token: token,
                                json: Self.batch(window, variants: variants, at: start.addingTimeInterval(Double(client * 60)))
                            )
                            for _ in 0..<20 where reply.status == 503 {
                                try await Task.sleep(for: .milliseconds(200))
                                reply = try await server.send(
                                    .POST,
                                    "/v1/events",
                                    token: token,
                                    json: Self.batch(window, variants: variants, at: start.addingTimeInterval(Double(client * 60)))
                                )
                            }
                            guard reply.status == 202 else { throw TestServer.TestServerError("\(reply.status) \(reply.text)") }
                            accepted += try reply.json()["accepted"] as? Int ?? 0
                            duplicates += try reply.json()["duplicates"] as? Int ?? 0
                        }
                        return (accepted, duplicates)
                    }
                }
                var totals = (0, 0)
                for try await (accepted, duplicates) in group {
                    totals.0 += accepted
                    totals.1 += duplicates
                }
                return totals
            }
            let distinct = try await server.count("SELECT count(*)::int FROM events")
            #expect(results.0 == distinct)
            #expect(results.0 + results.1 == 50 * 2 * 200)
            #expect(try await server.count("SELECT count(DISTINCT id)::int FROM events") == distinct)
            #expect(try await server.count("SELECT sum(count)::int FROM variant_hourly") == distinct)
            #expect(try await server.count("SELECT count(*)::int FROM event_ids") == distinct)
        }
    }

    @Test func badInputOfEveryKindIsRefusedWithAClearMessageAndWritesNothing() async throws {
        try await TestServer.with(maximumBatchRows: 1_000, maximumBodyBytes: 1 << 20) { server in
            let token = try await server.token(workspace: "acme", role: .editor)
            let variant = Self.variants(of: try await server.createCampaign(token: token))[0]
            let now = Timestamp.format(Date())
            func row(_ fields: String) -> String { "[{" + fields + "}]" }
            let good = #""id": "\#(UUID().uuidString)", "variant_id": "\#(variant)", "kind": "click", "occurred_at": "\#(now)""#
            let cases: [(String, [UInt8], Int, String)] = [
                ("malformed JSON", Array(#"[{"id": "#.utf8), 400, "not a valid JSON"),
                ("not an array or NDJSON", Array("42".utf8), 400, "JSON array"),
                ("empty body", [], 400, "empty"),
                ("wrong type", Array(row(#""id": 7, "variant_id": "\#(variant)", "kind": "click", "occurred_at": "\#(now)""#).utf8), 422, "id"),
                (
                    "unknown kind",
                    Array(row(#""id": "\#(UUID().uuidString)", "variant_id": "\#(variant)", "kind": "purchase", "occurred_at": "\#(now)""#).utf8),
                    422, "kind"
                ),
                ("NaN as a string", Array(row(good + #", "value": "NaN""#).utf8), 422, "value"),
                ("NaN bare", Array(row(good + #", "value": NaN"#).utf8), 400, "JSON"),
                ("infinite", Array(row(good + #", "value": 1e999"#).utf8), 422, "value"),
                (
                    "years ago",
                    Array(
                        row(#""id": "\#(UUID().uuidString)", "variant_id": "\#(variant)", "kind": "click", "occurred_at": "1990-01-01T00:00:00Z""#)
                            .utf8
                    ), 422, "occurred_at"
                ),
                (
                    "years ahead",
                    Array(
                        row(#""id": "\#(UUID().uuidString)", "variant_id": "\#(variant)", "kind": "click", "occurred_at": "2099-01-01T00:00:00Z""#)
                            .utf8
                    ), 422, "occurred_at"
                ),
                (
                    "not a timestamp",
                    Array(row(#""id": "\#(UUID().uuidString)", "variant_id": "\#(variant)", "kind": "click", "occurred_at": "yesterday""#).utf8), 422,
                    "occurred_at"
                ),
                (
                    "unknown variant",
                    Array(
                        row(#""id": "\#(UUID().uuidString)", "variant_id": "\#(UUID().uuidString)", "kind": "click", "occurred_at": "\#(now)""#).utf8
                    ), 422, "variant_id"
                ),
                ("missing field", Array(row(#""id": "\#(UUID().uuidString)", "kind": "click", "occurred_at": "\#(now)""#).utf8), 422, "variant_id"),
                ("unknown field", Array(row(good + #", "variant": "A""#).utf8), 422, "variant"),
                ("not UTF-8", [0x5B, 0x7B, 0x22, 0x69, 0x64, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0x22, 0x7D, 0x5D], 400, "UTF-8"),
                ("row not an object", Array("[[1, 2]]".utf8), 422, ""),
                (
                    "too many rows", Array(("[" + Array(repeating: "{" + good + "}", count: 1_001).joined(separator: ",") + "]").utf8), 413,
                    "at most 1000"
                ),
                ("deeply nested", Array(repeating: UInt8(ascii: "["), count: 100_000), 400, "JSON"),
                ("10 MB body", Array(repeating: UInt8(ascii: " "), count: 10 << 20), 413, "bytes"),
            ]
            for (name, body, status, mention) in cases {
                let reply = try await server.send(.POST, "/v1/events", token: token, body: body)
                #expect(reply.status == status, "\(name): \(reply.status) \(reply.text.prefix(300))")
                let error = try reply.error()
                #expect(!error.message.isEmpty, "\(name)")
                if !mention.isEmpty {
                    #expect(error.message.contains(mention) || error.fields.contains(mention), "\(name): \(reply.text.prefix(300))")
                }
            }
            #expect(try await server.count("SELECT count(*)::int FROM events") == 0)
            #expect(try await server.count("SELECT count(*)::int FROM event_ids") == 0)
            #expect(try await server.count("SELECT count(*)::int FROM variant_hourly") == 0)
            // The server still answers.
            #expect(try await server.send(.GET, "/healthz").status == 200)
        }
    }
}
