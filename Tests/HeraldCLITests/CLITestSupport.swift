import EmbeddedPostgres
import Foundation
import HeraldTestSupport
import Storage
import Testing

/// A fresh database and folder for one CLI test, and a way to run `herald` against them.
struct CLIFixture {
    let database: DatabaseConfiguration
    let folder: URL

    static func make() async throws -> CLIFixture {
        CLIFixture(database: try await TestDatabase.fresh(), folder: try HeraldCommand.temporaryDirectory())
    }

    /// Runs herald with DATABASE_URL set to this test's database, in the test's folder.
    func run(_ arguments: String..., input: String? = nil) async throws -> ProcessOutput {
        try await run(arguments, input: input)
    }

    /// Runs `herald` with `arguments` against the fixture's database, in its folder, with `environment` added.
    func run(_ arguments: [String], environment: [String: String] = [:], input: String? = nil) async throws -> ProcessOutput {
        try await HeraldCommand.run(
            arguments,
            environment: environment.merging(["DATABASE_URL": database.url, "HERALD_HOME": folder.appendingPathComponent("home").path]) { $1 },
            input: input,
            workingDirectory: folder
        )
    }

    /// Writes a file in the test's folder and returns its path.
    @discardableResult
    func write(_ name: String, _ contents: String) throws -> String {
        let url = folder.appendingPathComponent(name)
        try contents.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// Creates the standard two-variant campaign and returns its variant ids (A, B).
    func createCampaign() async throws -> (slug: String, a: String, b: String) {
        let path = try write(
            "campaign.yaml",
            """
            name: Trailblazer spring sale
            channels: [x, instagram]
            destination: https://example.com/shoes
            dry_run: true
            variants:
              - {key: A, text: "Trail season is here. 20% off this weekend."}
              - {key: B, text: "Ready for your first ultra? Shop the sale."}
            """
        )
        let created = try await run("campaigns", "create", path)
        #expect(created.succeeded, "\(created.standardError)")
        let slug = created.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        let shown = try await run("campaigns", "show", slug, "--json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(shown.standardOutput.utf8)) as? [String: Any])
        let variants = try #require(object["variants"] as? [[String: Any]])
        return (slug, try #require(variants[0]["id"] as? String), try #require(variants[1]["id"] as? String))
    }
}

/// A single line on stderr (ignoring a trailing newline).
func isOneLine(_ text: String) -> Bool {
    text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").count == 1
}
