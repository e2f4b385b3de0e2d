import AsyncHTTPClient
import EmbeddedPostgres
import Foundation
import HeraldTestSupport
import NIOCore
import NIOHTTP1
import PostgresNIO
import Testing

@testable import Storage

#if canImport(Glibc)
import Glibc
#endif

/// `herald serve` takes the tracking deduplication window from HERALD_TRACKING_DEDUP_SECONDS or its flag.
@Suite struct ServeTrackingSettingsTests {
    func send(_ url: String, token: String? = nil, method: HTTPMethod = .GET, body: String? = nil) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.headers.add(name: "User-Agent", value: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0")
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }

    /// Serves with `arguments` and `environment`, opens one pixel `opens` times, and returns how many impressions counted.
    func impressions(opens: Int, arguments: [String], environment extra: [String: String]) async throws -> Int {
        let fixture = try await CLIFixture.make()
        let token = try await fixture.run("tokens", "create", "--role", "editor").standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        var environment = ["DATABASE_URL": fixture.database.url, "HERALD_LOG_LEVEL": "error"].merging(extra) { $1 }
        environment["HERALD_HOME"] = fixture.folder.appendingPathComponent("home").path
        let serving = try await HeraldCommand.serve(["--no-worker"] + arguments, environment: environment, workingDirectory: fixture.folder)
        let server = serving.process
        let base = serving.base
        var healthy = false
        for _ in 0..<1_200 where !healthy {
            healthy = (try? await send("\(base)/healthz").0) == 200
            if !healthy { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(healthy)
        let campaign = try await send(
            "\(base)/v1/campaigns",
            token: token,
            method: .POST,
            body: #"{"name": "Served", "channels": ["x"], "destination": "https://example.com/", "variants": [{"text": "a"}, {"text": "b"}]}"#
        )
        #expect(campaign.0 == 201, "\(campaign.1)")
        let publication = try await send(
            "\(base)/v1/campaigns/served/publications",
            token: token,
            method: .POST,
            body: #"{"variant": "A", "channel": "x"}"#
        )
        let object = try JSONSerialization.jsonObject(with: Data(publication.1.utf8)) as? [String: Any]
        let pixel = try #require(object?["pixel_url"] as? String)
        for _ in 0..<opens { #expect(try await send(pixel).0 == 200) }
        server.signal(SIGTERM)
        let output = await server.wait()
        #expect(output.status == 0, "\(output.standardError)")
        return try await Database.withDatabase(fixture.database, logger: TestDatabase.logger) { database in
            for try await count in try await database.client.query(
                "SELECT count(*)::int FROM events WHERE kind = 'impression'",
                logger: database.logger
            )
            .decode(Int.self) {
                return count
            }
            return -1
        }
    }

    @Test func theWindowComesFromTheEnvironmentAndTheFlagWins() async throws {
        #expect(try await impressions(opens: 3, arguments: [], environment: [:]) == 1)
        #expect(try await impressions(opens: 3, arguments: [], environment: ["HERALD_TRACKING_DEDUP_SECONDS": "0"]) == 3)
        #expect(
            try await impressions(opens: 3, arguments: ["--tracking-dedup-seconds", "3600"], environment: ["HERALD_TRACKING_DEDUP_SECONDS": "0"]) == 1
        )
    }

    @Test func badWindowsAreOneClearLine() async throws {
        let fixture = try await CLIFixture.make()
        let word = try await fixture.run(["serve"], environment: ["HERALD_TRACKING_DEDUP_SECONDS": "soon"])
        #expect(!word.succeeded)
        #expect(isOneLine(word.standardError))
        #expect(word.standardError.contains("HERALD_TRACKING_DEDUP_SECONDS"), "\(word.standardError)")
        let negative = try await fixture.run(["serve", "--tracking-dedup-seconds=-5"])
        #expect(!negative.succeeded)
        #expect(isOneLine(negative.standardError))
        #expect(negative.standardError.contains("tracking-dedup-seconds"), "\(negative.standardError)")
    }
}
