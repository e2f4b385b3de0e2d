import EmbeddedPostgres
import Foundation
import HeraldCore
import HeraldTestSupport
import PlatformStandIns
import Storage
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `kill -9` of a worker between the platform's answer and Herald's record of it: after a restart the publication is
/// published exactly once on the platform (a real webhook receiver on loopback that keeps the first delivery of each
/// `Idempotency-Key`), reconciled by sending again under the same key, never posted twice.
@Suite struct PublishCrashTests {
    @Test func aWorkerKilledAfterThePlatformAnsweredLeavesExactlyOnePost() async throws {
        let fixture = try await CLIFixture.make()
        let receiver = WebhookReceiver(secret: "whsec-crash")
        try await StandInServer.run(receiver.router()) { base in
            let secrets = ["HOOK_SECRET": "whsec-crash"]
            let connected = try await fixture.run(
                ["channels", "connect", "webhook", "--name", "hook", "--url", base + "/hook", "--secret-env", "HOOK_SECRET"],
                environment: secrets
            )
            #expect(connected.succeeded, "\(connected.standardError)")
            #expect(!connected.standardOutput.contains("whsec-crash") && !connected.standardError.contains("whsec-crash"))
            let path = try fixture.write(
                "hooked.yaml",
                """
                name: Hooked
                channels: [webhook]
                destination: https://shop.example.com
                accounts: {webhook: hook}
                variants:
                  - {key: A, text: "Trail season is here."}
                """
            )
            let created = try await fixture.run("campaigns", "create", path)
            #expect(created.succeeded, "\(created.standardError)")
            let fired = try await fixture.run("campaigns", "publish", "hooked")
            #expect(fired.succeeded, "\(fired.standardError)")

            var environment = ["DATABASE_URL": fixture.database.url, "HERALD_LOG_LEVEL": "error"]
            environment["HERALD_HOME"] = fixture.folder.appendingPathComponent("home").path
            var faulty = environment
            faulty["HERALD_FAULT_PUBLISH_PAUSE_MS"] = "60000"  // stuck after the platform answered, before recording it
            let first = try HeraldCommand.start(["worker", "--lease", "2", "--poll-ms", "100"], environment: faulty)
            #expect(try await waitUntil { receiver.deliveries.count == 1 })
            first.signal(SIGKILL)
            _ = await first.wait()
            #expect(try await Self.states(fixture) == ["sending"])

            let second = try HeraldCommand.start(["worker", "--lease", "2", "--poll-ms", "100"], environment: environment)
            let published = try await waitUntil { try await Self.states(fixture) == ["published"] }
            second.signal(SIGTERM)
            let output = await second.wait()
            #expect(published, "\(output.standardError)")
            #expect(receiver.deliveries.count == 1)
            #expect(receiver.requests == 3)  // the check on connect (a ping), the post, and the resend under the same key
            let listed = try await fixture.run("publications", "list", "hooked", "--json")
            let lines = try #require(try JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8)) as? [[String: Any]])
            #expect(lines.first?["provider_id"] as? String == "1")
            #expect(lines.first?["account"] as? String == "hook")
            #expect(!listed.standardOutput.contains("whsec-crash"))
        }
    }

    static func states(_ fixture: CLIFixture) async throws -> [String] {
        let listed = try await fixture.run("publications", "list", "hooked", "--json")
        let lines = try JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8)) as? [[String: Any]] ?? []
        return lines.compactMap { $0["state"] as? String }
    }
}
