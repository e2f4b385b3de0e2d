import AsyncHTTPClient
import EmbeddedPostgres
import Foundation
import HeraldTestSupport
import NIOCore
import NIOHTTP1
import Storage
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `herald serve` takes its front door from the environment and flags: the token-attempt limit answers `429` with
/// `Retry-After` in a real process, and a bad value is one clear line naming the variable or flag.
@Suite struct ServeFrontDoorTests {
    @Test func tokenGuessingIsLimitedByTheEnvironmentsSetting() async throws {
        let fixture = try await CLIFixture.make()
        let created = try await fixture.run("tokens", "create", "--role", "viewer")
        let token = created.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(created.succeeded, "\(created.standardError)")

        var environment = ["DATABASE_URL": fixture.database.url, "HERALD_LOG_LEVEL": "error", "HERALD_TOKEN_FAILURES": "2"]
        environment["HERALD_HOME"] = fixture.folder.appendingPathComponent("home").path
        let serving = try await HeraldCommand.serve(
            ["--no-worker", "--grace", "2", "--header-timeout-seconds", "5"],
            environment: environment,
            workingDirectory: fixture.folder
        )
        let server = serving.process
        let base = serving.base
        func get(_ path: String, token: String? = nil) async throws -> (Int, HTTPHeaders) {
            var request = HTTPClientRequest(url: base + path)
            if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            _ = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), response.headers)
        }
        #expect(try await waitUntil(timeout: .seconds(120), every: .milliseconds(100)) { (try? await get("/healthz").0) == 200 })
        #expect(try await get("/v1/workspace", token: token).0 == 200)
        #expect(try await get("/v1/workspace", token: "hrld_nope1").0 == 401)
        #expect(try await get("/v1/workspace", token: "hrld_nope2").0 == 401)
        let refused = try await get("/v1/workspace", token: "hrld_nope3")
        #expect(refused.0 == 429)
        #expect(Int(refused.1.first(name: "Retry-After") ?? "") ?? 0 >= 1)
        #expect(try await get("/v1/workspace", token: token).0 == 200)

        server.signal(SIGTERM)
        let output = await server.wait()
        #expect(output.status == 0, "\(output.standardError)")
    }

    @Test func badFrontDoorSettingsAreOneClearLine() async throws {
        let fixture = try await CLIFixture.make()
        let variable = try await fixture.run(["serve", "--port", "0"], environment: ["HERALD_HEADER_TIMEOUT_SECONDS": "soon"])
        #expect(!variable.succeeded)
        #expect(variable.standardError.contains("HERALD_HEADER_TIMEOUT_SECONDS"), "\(variable.standardError)")
        #expect(isOneLine(variable.standardError), "\(variable.standardError)")
        let flag = try await fixture.run("serve", "--port", "0", "--max-connections", "0")
        #expect(!flag.succeeded)
        #expect(flag.standardError.contains("max-connections"), "\(flag.standardError)")
    }
}
