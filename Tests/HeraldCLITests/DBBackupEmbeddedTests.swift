import EmbeddedPostgres
import Foundation
import HeraldTestSupport
import Testing

/// `herald db backup` and `herald db restore` on Herald's own embedded cluster (no `DATABASE_URL`).
struct DBBackupEmbeddedTests {
    @Test func backupAndRestoreTheEmbeddedCluster() async throws {
        let home = try HeraldCommand.temporaryDirectory()
        let environment = ["HERALD_HOME": home.path, "DATABASE_URL": ""]
        func write(_ name: String, _ campaign: String) throws -> String {
            let path = home.appendingPathComponent(name).path
            try """
            name: \(campaign)
            channels: [x]
            destination: https://example.com/
            variants:
              - {key: A, text: "Hello from \(campaign)."}
            """.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let kept = try await HeraldCommand.run(["campaigns", "create", try write("kept.yaml", "Kept campaign")], environment: environment)
        #expect(kept.succeeded, "\(kept.standardError)")
        let file = home.appendingPathComponent("embedded.dump").path
        let backup = try await HeraldCommand.run(["db", "backup", file], environment: environment)
        #expect(backup.succeeded, "\(backup.standardError)")
        #expect(backup.standardOutput.contains("@127.0.0.1:"))

        let later = try await HeraldCommand.run(["campaigns", "create", try write("later.yaml", "Later campaign")], environment: environment)
        #expect(later.succeeded, "\(later.standardError)")
        let restore = try await HeraldCommand.run(["db", "restore", file], environment: environment)
        #expect(restore.succeeded, "\(restore.standardError)")

        let listed = try await HeraldCommand.run(["campaigns", "list"], environment: environment)
        #expect(listed.standardOutput.contains("kept-campaign"), "\(listed.standardOutput)")
        #expect(!listed.standardOutput.contains("later-campaign"), "\(listed.standardOutput)")
        let stopped = try await HeraldCommand.run(["db", "stop"], environment: environment)
        #expect(stopped.succeeded)
    }
}
