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

@Suite struct ServeCommandTests {
    func get(_ url: String, token: String? = nil, method: HTTPMethod = .GET, body: String? = nil) async throws -> (Int, String, HTTPHeaders) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let collected = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: collected), response.headers)
    }

    @Test func servesTheAPIRunsJobsInProcessAndStopsCleanlyOnSIGTERM() async throws {
        let fixture = try await CLIFixture.make()
        let created = try await fixture.run("tokens", "create", "--role", "editor")
        #expect(created.succeeded, "\(created.standardError)")
        let token = created.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.hasPrefix("hrld_"))
        #expect(created.standardError.contains("not shown again"))

        var environment = ["DATABASE_URL": fixture.database.url, "HERALD_LOG_LEVEL": "error"]
        environment["HERALD_HOME"] = fixture.folder.appendingPathComponent("home").path
        let serving = try await HeraldCommand.serve(
            ["--poll-ms", "100", "--tick-ms", "100", "--grace", "2"],
            environment: environment,
            workingDirectory: fixture.folder
        )
        let server = serving.process
        let base = serving.base
        var healthy = false
        for _ in 0..<1_200 where !healthy {
            healthy = (try? await get("\(base)/healthz").0) == 200
            if !healthy { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(healthy)

        let campaign = try await get(
            "\(base)/v1/campaigns",
            token: token,
            method: .POST,
            body: #"{"name": "Served", "channels": ["x"], "destination": "https://example.com/", "variants": [{"text": "a"}, {"text": "b"}]}"#
        )
        #expect(campaign.0 == 201, "\(campaign.1)")
        let publication = try await get(
            "\(base)/v1/campaigns/served/publications",
            token: token,
            method: .POST,
            body: #"{"variant": "B", "channel": "x"}"#
        )
        #expect(publication.0 == 201, "\(publication.1)")
        let object = try JSONSerialization.jsonObject(with: Data(publication.1.utf8)) as? [String: Any]
        let clickURL = try #require(object?["click_url"] as? String)
        #expect(clickURL.hasPrefix(base + "/r/"))

        // The worker inside `herald serve` runs jobs.
        let enqueued = try await fixture.run("jobs", "enqueue", "probe")
        #expect(enqueued.succeeded, "\(enqueued.standardError)")
        var probed = false
        for _ in 0..<300 where !probed {
            probed = try await Database.withDatabase(fixture.database, logger: TestDatabase.logger) { database in
                for try await count in try await database.client.query("SELECT count(*)::int FROM job_probes", logger: database.logger).decode(
                    Int.self
                ) {
                    return count == 1
                }
                return false
            }
            if !probed { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(probed)

        server.signal(SIGTERM)
        let output = await server.wait()
        #expect(output.status == 0, "\(output.standardError)")
        #expect(output.standardOutput.contains("serving on http://127.0.0.1:\(serving.port)"))
    }

    @Test func badSettingsAreOneClearLine() async throws {
        let fixture = try await CLIFixture.make()
        let output = try await fixture.run("serve", "--port", "70000")
        #expect(!output.succeeded)
        #expect(output.standardError.contains("port"))
        let role = try await fixture.run("tokens", "create", "--role", "owner")
        #expect(!role.succeeded)
        #expect(role.standardError.contains("\"owner\" is not one of viewer, editor, approver, admin"))
    }
}
