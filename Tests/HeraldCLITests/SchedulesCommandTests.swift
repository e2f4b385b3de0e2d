import EmbeddedPostgres
import Foundation
import HeraldTestSupport
import Testing

struct SchedulesCommandTests {
    @Test func listShowsOnlyTheWorkspacesSchedulesAndDeleteRemovesOneByNameOrId() async throws {
        let fixture = try await CLIFixture.make()
        for (workspace, name) in [("acme", "nightly"), ("acme", "hourly"), ("globex", "nightly")] {
            let created = try await fixture.run(
                "schedules",
                "create",
                name,
                "--rule",
                "0 * * * *",
                "--job",
                "probe",
                "--workspace",
                workspace
            )
            #expect(created.succeeded, "\(created.standardError)")
        }
        func names(_ workspace: String) async throws -> [String] {
            let listed = try await fixture.run("schedules", "list", "--json", "--workspace", workspace)
            #expect(listed.succeeded, "\(listed.standardError)")
            let schedules = try #require(try JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8)) as? [[String: Any]])
            return schedules.compactMap { $0["name"] as? String }
        }
        #expect(try await names("acme") == ["hourly", "nightly"])
        #expect(try await names("globex") == ["nightly"])

        let deleted = try await fixture.run("schedules", "delete", "nightly", "--workspace", "acme")
        #expect(deleted.succeeded, "\(deleted.standardError)")
        #expect(deleted.standardOutput == "deleted schedule nightly\n")
        #expect(try await names("acme") == ["hourly"])
        #expect(try await names("globex") == ["nightly"])  // another workspace's schedule of the same name stays

        let listed = try await fixture.run("schedules", "list", "--json", "--workspace", "acme")
        let hourly = try #require((try JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8)) as? [[String: Any]])?.first)
        let id = try #require(hourly["id"] as? String)
        let byID = try await fixture.run("schedules", "delete", id, "--workspace", "acme")
        #expect(byID.standardOutput == "deleted schedule hourly\n", "\(byID.standardError)")
        #expect(try await names("acme").isEmpty)

        let missing = try await fixture.run("schedules", "delete", "nightly", "--workspace", "acme")
        #expect(missing.status == 1)
        #expect(missing.standardOutput.isEmpty)
        #expect(isOneLine(missing.standardError), "\(missing.standardError)")
        #expect(missing.standardError.contains("schedule") && missing.standardError.contains("nightly"), "\(missing.standardError)")
    }
}
