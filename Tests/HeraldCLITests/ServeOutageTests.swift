import AsyncHTTPClient
import EmbeddedPostgres
import Foundation
import HeraldTestSupport
import NIOCore
import NIOHTTP1
import Testing

@testable import Storage

#if canImport(Glibc)
import Glibc
#endif

/// A real `herald serve` process whose database goes away: it answers 503 at once, finds its database again (at a new
/// port when the embedded cluster moved), and SIGTERM ends it within its grace period with status 0 whatever the
/// database's state.
@Suite struct ServeOutageTests {
    func get(_ url: String) async throws -> (Int, String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(120))
        let collected = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: collected))
    }

    func eventually(within timeout: Duration = .seconds(180), _ condition: () async -> Bool) async throws -> Bool {
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end {
            if await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Waits for `process` to exit, killing it (and reporting nil) when it has not after `timeout`.
    func exit(of process: RunningProcess, within timeout: Duration) async -> ProcessOutput? {
        await withTaskGroup(of: ProcessOutput?.self) { group in
            group.addTask { await process.wait() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            if first == nil {
                process.signal(SIGKILL)
                _ = await group.next()
            }
            group.cancelAll()
            return first
        }
    }

    @Test func sigtermWhileTheDatabaseIsDownEndsServeWithinItsGraceWithStatusZero() async throws {
        try await TestCluster.with { cluster in
            let home = try HeraldCommand.temporaryDirectory()
            let environment = [
                "DATABASE_URL": try cluster.configuration().url, "HERALD_HOME": home.path, "HERALD_LOG_LEVEL": "warning",
            ]
            let serving = try await HeraldCommand.serve(
                ["--poll-ms", "100", "--tick-ms", "100", "--grace", "2"],
                environment: environment,
                workingDirectory: home
            )
            let server = serving.process
            let base = serving.base
            #expect(try await eventually { (try? await get("\(base)/healthz").0) == 200 })

            try await cluster.stop()
            let health = try await get("\(base)/healthz")
            #expect(health.0 == 503, "\(health.1)")

            let start = ContinuousClock.now
            server.signal(SIGTERM)
            // Grace 2 s (+2 s for the server): well within a minute even on a loaded machine; it used to take SIGKILL.
            let output = await exit(of: server, within: .seconds(60))
            let took = ContinuousClock.now - start
            #expect(output != nil, "herald serve was still running 60 s after SIGTERM")
            #expect(output?.status == 0, "\(output?.standardError ?? "")")
            print("serve exited \(took) after SIGTERM with the database down")
        }
    }

    @Test func serveFindsTheEmbeddedClusterAgainAfterItMovedToAnotherPort() async throws {
        let home = try HeraldCommand.temporaryDirectory().appendingPathComponent("home")
        let environment = ["HERALD_HOME": home.path, "DATABASE_URL": "", "HERALD_LOG_LEVEL": "warning"]
        let started = try await HeraldCommand.run(["db", "start"], environment: environment)
        #expect(started.succeeded, "\(started.standardError)")
        let cluster = EmbeddedCluster(
            directory: home.appendingPathComponent("pg"),
            binaries: try await PostgresBinaries.locate(),
            logger: TestDatabase.logger
        )
        let first = try cluster.readCredentials().port
        let serving = try await HeraldCommand.serve(["--no-worker"], environment: environment, workingDirectory: home)
        let server = serving.process
        let base = serving.base
        #expect(try await eventually { (try? await get("\(base)/healthz").0) == 200 })

        #expect(try await HeraldCommand.run(["db", "stop"], environment: environment).succeeded)
        #expect(try await get("\(base)/healthz").0 == 503)
        // Another program takes the port meanwhile: the cluster starts elsewhere.
        let squatter = try PortSquatter(port: first)
        defer { squatter.close() }
        let restarted = try await HeraldCommand.run(["db", "start"], environment: environment)
        #expect(restarted.succeeded, "\(restarted.standardError)")
        #expect(try cluster.readCredentials().port != first)
        #expect(try await eventually { (try? await get("\(base)/healthz").0) == 200 }, "serve did not find the moved cluster")

        server.signal(SIGTERM)
        let output = await exit(of: server, within: .seconds(60))
        #expect(output?.status == 0, "\(output?.standardError ?? "")")
        _ = try await HeraldCommand.run(["db", "stop"], environment: environment)
    }
}
