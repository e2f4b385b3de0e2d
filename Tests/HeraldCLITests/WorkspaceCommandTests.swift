import EmbeddedPostgres
import Foundation
import HeraldTestSupport
import Testing

/// Workspaces in the CLI: `--workspace` and `HERALD_WORKSPACE` choose one, a campaign of another is named with the way
/// to reach it, and each workspace's overview page has a folder of its own.
struct WorkspaceCommandTests {
    /// A second campaign, in workspace `workspace`; returns its slug.
    func createCampaign(_ fixture: CLIFixture, name: String, workspace: String) async throws -> String {
        let path = try fixture.write(
            "\(workspace).yaml",
            """
            name: \(name)
            channels: [x]
            destination: https://example.com/boots
            variants:
              - {key: A, text: "New boots for the winter trails."}
              - {key: B, text: "Winter trails need new boots."}
            """
        )
        let created = try await fixture.run("campaigns", "create", path, "--workspace", workspace)
        #expect(created.succeeded, "\(created.standardError)")
        return created.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func everyCommandNamingACampaignOfAnotherWorkspaceSaysWhereItIs() async throws {
        let fixture = try await CLIFixture.make()
        let campaign = try await fixture.createCampaign()  // in workspace "default"
        let commands: [[String]] = [
            ["campaigns", "show", campaign.slug],
            ["report", campaign.slug, "--format", "md"],
            ["report", campaign.slug, "--format", "html"],
            ["reports", "schedule", campaign.slug],
            ["schedules", "create", "nightly", "--rule", "0 2 * * *", "--job", "analyze", "--campaign", campaign.slug],
        ]
        let expected =
            "herald: campaign \"\(campaign.slug)\" is not in workspace \"acme\"; it is in workspace \"default\": "
            + "pass --workspace default (or set HERALD_WORKSPACE=default)\n"
        for command in commands {
            let flagged = try await fixture.run(command + ["--workspace", "acme"])
            #expect(flagged.status == 1, "\(command)")
            #expect(flagged.standardError == expected, "\(command): \(flagged.standardError)")
            // The same through the environment.
            let fromEnvironment = try await fixture.run(command, environment: ["HERALD_WORKSPACE": "acme"])
            #expect(fromEnvironment.status == 1, "\(command)")
            #expect(fromEnvironment.standardError == expected, "\(command): \(fromEnvironment.standardError)")
        }
        // Named by id it is found the same way.
        let byID = try await fixture.run("campaigns", "show", campaign.a, "--workspace", "acme")
        #expect(byID.status == 1)
        // Nothing was written for the refused commands.
        #expect(!FileManager.default.fileExists(atPath: fixture.folder.appendingPathComponent("reports").path))
        let schedules = try await fixture.run("schedules", "list", "--workspace", "acme")
        #expect(!schedules.standardOutput.contains("nightly"))
    }

    @Test func importingEventsOfAnotherWorkspacesVariantsSaysWhereTheyAre() async throws {
        let fixture = try await CLIFixture.make()
        let campaign = try await fixture.createCampaign()  // in workspace "default"
        let stranger = UUID().uuidString.lowercased()
        let path = try fixture.write(
            "events.csv",
            """
            id,variant_id,kind,occurred_at,value
            \(UUID()),\(campaign.a),click,2026-03-01T09:30:00Z,
            \(UUID()),\(stranger),click,2026-03-01T09:31:00Z,

            """
        )
        let hint = "pass --workspace default (or set HERALD_WORKSPACE=default)"
        let runs: [([String], [String: String])] = [
            (["import", "events", path, "--workspace", "acme"], [:]), (["import", "events", path], ["HERALD_WORKSPACE": "acme"]),
        ]
        for (arguments, environment) in runs {
            let result = try await fixture.run(arguments, environment: environment)
            #expect(result.status == 1)
            #expect(
                result.standardError
                    == "herald: events.csv:2: variant_id: \(campaign.a) is not a variant of workspace \"acme\"; it is in workspace \"default\": \(hint)\n"
                    + "herald: events.csv:3: variant_id: \(stranger) is not a variant of this workspace (see `herald campaigns show`)\n",
                "\(result.standardError)"
            )
        }
        // In its own workspace the file's only problem is the unknown variant.
        let home = try await fixture.run("import", "events", path)
        #expect(
            home.standardError == "herald: events.csv:3: variant_id: \(stranger) is not a variant of this workspace (see `herald campaigns show`)\n"
        )
    }

    @Test func heraldWorkspaceSetsTheDefaultAndTheFlagWins() async throws {
        let fixture = try await CLIFixture.make()
        let acme = ["HERALD_WORKSPACE": "acme"]
        let path = try fixture.write(
            "acme.yaml",
            """
            name: Acme launch
            channels: [x]
            variants:
              - {key: A, text: "Acme is here."}
              - {key: B, text: "Meet Acme."}
            """
        )
        let created = try await fixture.run(["campaigns", "create", path], environment: acme)
        #expect(created.succeeded, "\(created.standardError)")
        #expect(try await fixture.run(["campaigns", "list"], environment: acme).standardOutput.contains("acme-launch"))
        #expect(try await fixture.run("campaigns", "list", "--workspace", "acme").standardOutput.contains("acme-launch"))
        #expect(!(try await fixture.run("campaigns", "list").standardOutput.contains("acme-launch")))
        #expect(!(try await fixture.run(["campaigns", "list", "--workspace", "default"], environment: acme).standardOutput.contains("acme-launch")))
        let shown = try await fixture.run(["campaigns", "show", "acme-launch"], environment: acme)
        #expect(shown.succeeded, "\(shown.standardError)")
    }

    @Test func eachWorkspaceWritesItsOwnOverviewIntoOneFolder() async throws {
        let fixture = try await CLIFixture.make()
        let spring = try await fixture.createCampaign().slug  // in workspace "default"
        let boots = try await createCampaign(fixture, name: "Winter boots", workspace: "acme")
        let first = try await fixture.run("report", spring, "--format", "html", "--out", "out")
        #expect(first.succeeded, "\(first.standardError)")
        let second = try await fixture.run(["report", boots, "--format", "html", "--out", "out"], environment: ["HERALD_WORKSPACE": "acme"])
        #expect(second.succeeded, "\(second.standardError)")
        // Rebuilding one workspace's page leaves the other's alone.
        let rebuilt = try await fixture.run("reports", "overview", "--out", "out")
        #expect(rebuilt.standardOutput == fixture.folder.appendingPathComponent("out/default/index.html").path + "\n")

        let out = fixture.folder.appendingPathComponent("out")
        for (workspace, own, other) in [("default", spring, boots), ("acme", boots, spring)] {
            let page = out.appendingPathComponent("\(workspace)/index.html")
            let html = try String(contentsOf: page, encoding: .utf8)
            #expect(html.contains(own), "\(workspace)")
            #expect(!html.contains(other), "\(workspace)'s overview lists \(other)")
            // Every link on the page leads to a file that exists, relative to the page.
            let links = html.matches(of: /href="([^"]+)"/).map { String($0.output.1) }
            #expect(links == ["../\(own)/latest/report.html"], "\(workspace): \(links)")
            for link in links {
                let target = page.deletingLastPathComponent().appendingPathComponent(link).standardizedFileURL
                #expect(FileManager.default.fileExists(atPath: target.path), "\(workspace): \(link) → \(target.path)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("index.html").path))
    }
}
