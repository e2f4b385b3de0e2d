import Foundation
import HTTPAPI
import HeraldCore
import NIOHTTP1
import PostgresNIO
import Testing

@testable import Storage

/// Repeated hits of one tracking link from one client within the window count once, on a real server; no address is stored.
@Suite struct TrackingDeduplicationTests {
    static let browser = TrackingTests.browser
    static let phone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"

    /// A campaign with one publication on a live server; returns its tracking code.
    static func code(_ server: TestServer) async throws -> String {
        let token = try await server.token(workspace: "acme", role: .editor)
        _ = try await server.createCampaign(token: token)
        let created = try await server.send(.POST, "/v1/campaigns/spring/publications", token: token, json: #"{"variant": "A", "channel": "x"}"#)
        return try #require(try created.json()["tracking_code"] as? String)
    }

    @Test func tenClicksFromOneClientCountOnceAndOthersCount() async throws {
        // A window far longer than the test may take on a loaded machine.
        try await TestServer.live(configure: { $0.trackingDeduplicationWindow = .seconds(3_600) }) { server in
            let code = try await Self.code(server)
            for _ in 0..<10 {
                let click = try await server.send(.GET, "/r/\(code)", headers: [("User-Agent", Self.browser)])
                // The duplicate still redirects as usual.
                #expect(click.status == 302)
                #expect(click.headers.first(name: "Location")?.hasPrefix("https://shop.example.com/shoes") == true)
            }
            for _ in 0..<10 {
                let pixel = try await server.send(.GET, "/p/\(code).gif", headers: [("User-Agent", Self.browser)])
                #expect(pixel.status == 200)
                #expect(pixel.body.count == 43)
            }
            #expect(try await server.count("SELECT count(*)::int FROM events WHERE kind = 'click'") == 1)
            #expect(try await server.count("SELECT count(*)::int FROM events WHERE kind = 'impression'") == 1)

            // Another browser on the same address is another client.
            _ = try await server.send(.GET, "/r/\(code)", headers: [("User-Agent", Self.phone)])
            #expect(try await server.count("SELECT count(*)::int FROM events WHERE kind = 'click'") == 2)
            // With no trusted proxy, X-Forwarded-For is the client's own word and changes nothing.
            _ = try await server.send(.GET, "/r/\(code)", headers: [("User-Agent", Self.browser), ("X-Forwarded-For", "198.51.100.23")])
            #expect(try await server.count("SELECT count(*)::int FROM events WHERE kind = 'click'") == 2)

            // Concurrent identical clicks from a new client: exactly one counts.
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<16 {
                    group.addTask { try await server.send(.GET, "/r/\(code)", headers: [("User-Agent", "Concurrent/1.0 (X11)")]).status }
                }
                for try await status in group { #expect(status == 302) }
            }
            #expect(try await server.count("SELECT count(*)::int FROM events WHERE kind = 'click'") == 3)
            #expect(try await server.count("SELECT sum(count)::int FROM variant_hourly") == 4)

            // Nothing stored can name an address: no address-typed or address-named column, no address in any row.
            #expect(
                try await server.count(
                    """
                    SELECT count(*)::int FROM information_schema.columns
                    WHERE table_schema = 'public'
                      AND (data_type IN ('inet', 'cidr') OR column_name ~* '(^|_)(ip|ip_address|address|remote_addr|client_ip|user_agent|forwarded_for)($|_)')
                    """
                ) == 0
            )
            #expect(try await server.count("SELECT count(*)::int FROM tracking_hits") == 4)
            #expect(try await server.count("SELECT count(*)::int FROM tracking_hits WHERE length(hash) <> 32") == 0)
            #expect(try await server.count("SELECT count(*)::int FROM tracking_hits WHERE position('127.0.0.1'::bytea IN hash) > 0") == 0)
            #expect(try await server.count("SELECT count(*)::int FROM events WHERE row(events.*)::text LIKE '%127.0.0.1%'") == 0)
            #expect(try await server.count("SELECT count(*)::int FROM tracking_salts") == 1)
        }
    }

    @Test func theTableOfHitsHoldsOnlyAHashAndAnExpiry() async throws {
        try await TestServer.live { server in
            for (table, expected) in [("tracking_hits", ["expires_at", "hash", "workspace_id"]), ("tracking_salts", ["day", "salt"])] {
                let rows = try await server.database.client.query(
                    "SELECT column_name::text FROM information_schema.columns WHERE table_schema = 'public' AND table_name = \(table) ORDER BY 1",
                    logger: server.database.logger
                )
                var columns: [String] = []
                for try await column in rows.decode(String.self) { columns.append(column) }
                #expect(columns == expected)
            }
        }
    }

    @Test func afterTheWindowAClickCountsAgain() async throws {
        // The exact window is tested with an injected clock (TrackingDeduplicatorTests); here it is real time on a
        // loaded machine, so the assertions hold however slow the requests are.
        let window = 3.0
        try await TestServer.live(configure: { $0.trackingDeduplicationWindow = .seconds(window) }) { server in
            let code = try await Self.code(server)
            let clicks = { try await server.count("SELECT count(*)::int FROM events WHERE kind = 'click'") }
            let started = Date()  // the first click counted at or after this
            _ = try await server.send(.GET, "/r/\(code)", headers: [("User-Agent", Self.browser)])
            _ = try await server.send(.GET, "/r/\(code)", headers: [("User-Agent", Self.browser)])
            // The second click came within the window of the first when both took less than the window in all.
            if Date().timeIntervalSince(started) < window {
                #expect(try await clicks() == 1)
            }
            let before = try await clicks()
            // Whichever click counted last (the second, if it came after the window) was recorded before now.
            let last = Date()
            try await Task.sleep(for: .seconds(max(0, last.addingTimeInterval(window + 0.3).timeIntervalSinceNow)))
            _ = try await server.send(.GET, "/r/\(code)", headers: [("User-Agent", Self.browser)])
            #expect(try await clicks() == before + 1)
        }
    }

    @Test func aZeroWindowCountsEveryHit() async throws {
        try await TestServer.live(configure: { $0.trackingDeduplicationWindow = .zero }) { server in
            let code = try await Self.code(server)
            for _ in 0..<3 { _ = try await server.send(.GET, "/r/\(code)", headers: [("User-Agent", Self.browser)]) }
            #expect(try await server.count("SELECT count(*)::int FROM events WHERE kind = 'click'") == 3)
            #expect(try await server.count("SELECT count(*)::int FROM tracking_hits") == 0)
        }
    }

    @Test func behindATrustedProxyTheForwardedAddressIsTheClient() async throws {
        try await TestServer.live(configure: {
            $0.trustedProxies = ["127.0.0.1"]
            $0.trackingDeduplicationWindow = .seconds(3_600)
        }) { server in
            let code = try await Self.code(server)
            func click(_ forwardedFor: String) async throws {
                _ = try await server.send(.GET, "/r/\(code)", headers: [("User-Agent", Self.browser), ("X-Forwarded-For", forwardedFor)])
            }
            try await click("203.0.113.5")
            try await click("203.0.113.5")
            #expect(try await server.count("SELECT count(*)::int FROM events WHERE kind = 'click'") == 1)
            try await click("203.0.113.6")
            #expect(try await server.count("SELECT count(*)::int FROM events WHERE kind = 'click'") == 2)
            // An entry the client wrote itself sits left of the one the proxy appended: it is not believed.
            try await click("10.9.8.7, 203.0.113.5")
            #expect(try await server.count("SELECT count(*)::int FROM events WHERE kind = 'click'") == 2)
        }
    }
}
