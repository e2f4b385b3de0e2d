import Foundation
import HeraldTestSupport
import Testing

@testable import EmbeddedPostgres

struct EmbeddedClusterTests {
    @Test func missingServerSaysWhatToInstall() async throws {
        let empty = try HeraldCommand.temporaryDirectory()
        await #expect {
            try await PostgresBinaries.locate(environment: ["PATH": empty.path], packageRoot: empty.path)
        } throws: { error in
            let message = "\(error)"
            return (error as? EmbeddedPostgresError)?.code == .serverNotFound && message.contains("apt-get install postgresql")
                && message.contains("DATABASE_URL") && !message.contains("\n")
        }
    }

    @Test func freePortIsFree() throws {
        let port = try FreePort.find()
        #expect(port > 0 && FreePort.isFree(port))
    }

    /// The whole life of a cluster through the CLI, as a user runs it: start, status, url, restart, stop.
    @Test func herald_db_startStatusUrlStop() async throws {
        let home = try HeraldCommand.temporaryDirectory()
        let environment = ["HERALD_HOME": home.path, "DATABASE_URL": ""]
        let before = try await HeraldCommand.run(["db", "status"], environment: environment)
        #expect(before.standardOutput.contains("not created"))

        let started = try await HeraldCommand.run(["db", "start"], environment: environment)
        #expect(started.succeeded, "\(started.standardError)")
        #expect(started.standardOutput.contains("PostgreSQL is running on 127.0.0.1:"))
        if getuid() == 0 {
            let owner = try FileManager.default.attributesOfItem(atPath: home.appendingPathComponent("pg/data").path)[.ownerAccountName] as? String
            #expect(owner == "postgres")
        }
        let credentials = try FileManager.default.attributesOfItem(atPath: home.appendingPathComponent("pg/cluster.json").path)
        #expect((credentials[.posixPermissions] as? Int) == 0o600)

        let status = try await HeraldCommand.run(["db", "status", "--json"], environment: environment)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.standardOutput.utf8)) as? [String: Any])
        #expect(object["state"] as? String == "running")

        let url = try await HeraldCommand.run(["db", "url"], environment: environment)
        #expect(url.standardOutput.hasPrefix("postgres://herald:"))
        #expect(url.standardOutput.contains("@127.0.0.1:\(object["port"] as? Int ?? -1)/herald"))

        let migrated = try await HeraldCommand.run(["db", "migrate"], environment: environment)
        #expect(migrated.succeeded, "\(migrated.standardError)")
        let listed = try await HeraldCommand.run(["campaigns", "list"], environment: environment)
        #expect(listed.standardOutput.contains("No campaigns yet"), "\(listed.standardError)")

        let stopped = try await HeraldCommand.run(["db", "stop"], environment: environment)
        #expect(stopped.standardOutput.contains("PostgreSQL stopped."))
        let after = try await HeraldCommand.run(["db", "status"], environment: environment)
        #expect(after.standardOutput.contains("stopped"))

        // A command that needs the database starts the cluster on demand.
        let onDemand = try await HeraldCommand.run(["campaigns", "list", "--json"], environment: environment)
        #expect(onDemand.succeeded, "\(onDemand.standardError)")
        _ = try await HeraldCommand.run(["db", "stop"], environment: environment)
        try? FileManager.default.removeItem(at: home)
    }
}
