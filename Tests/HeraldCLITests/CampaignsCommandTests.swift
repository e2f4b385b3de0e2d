import EmbeddedPostgres
import Foundation
import HeraldTestSupport
import Testing

struct CampaignsCommandTests {
    @Test func createShowAndList() async throws {
        let fixture = try await CLIFixture.make()
        let campaign = try await fixture.createCampaign()
        #expect(campaign.slug == "trailblazer-spring-sale")

        let shown = try await fixture.run("campaigns", "show", campaign.slug, "--json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(shown.standardOutput.utf8)) as? [String: Any])
        for key in ["id", "slug", "name", "primary_metric", "channels", "variants"] { #expect(object[key] != nil, "missing \(key)") }
        #expect(object["primary_metric"] as? String == "click")
        #expect(object["channels"] as? [String] == ["x", "instagram"])

        let byID = try await fixture.run("campaigns", "show", try #require(object["id"] as? String))
        #expect(byID.succeeded && byID.standardOutput.contains(campaign.a))

        let listed = try await fixture.run("campaigns", "list", "--json")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8)) as? [[String: Any]])
        #expect(list.map { $0["slug"] as? String } == [campaign.slug])
    }

    @Test func jsonFilesWorkToo() async throws {
        let fixture = try await CLIFixture.make()
        let path = try fixture.write(
            "c.json",
            #"{"name": "Newsletter", "slug": "news-1", "primary_metric": "conversion", "channels": ["email"], "variants": [{"text": "a"}, {"text": "b"}]}"#
        )
        let created = try await fixture.run("campaigns", "create", path)
        #expect(created.succeeded)
        #expect(created.standardOutput == "news-1\n")
    }

    @Test(
        arguments: [
            ("missing.yaml", nil, "missing.yaml: cannot read the file"),
            ("bad.yaml", "name: [unclosed", "bad.yaml: not valid JSON or YAML"),
            ("bad.json", #"{"name": "x", "channels": ["x"], "variants": [{"text": "a"}], }"#, "bad.json:"),
            ("one.yaml", "name: x\nchannels: [x]\nvariants: [only]", "one.yaml: variants: needs at least 2 variants"),
            ("typo.yaml", "name: x\nchanels: [x]\nvariants: [a, b]", "typo.yaml: chanels: unknown field"),
        ] as [(String, String?, String)]
    )
    func badFilesGetOneClearLineAndWriteNothing(name: String, contents: String?, message: String) async throws {
        let fixture = try await CLIFixture.make()
        let path = contents.map { try? fixture.write(name, $0) } ?? fixture.folder.appendingPathComponent(name).path
        let result = try await fixture.run("campaigns", "create", try #require(path))
        #expect(!result.succeeded)
        #expect(result.standardOutput.isEmpty)
        #expect(isOneLine(result.standardError), "\(result.standardError)")
        #expect(result.standardError.contains(message), "\(result.standardError)")
        let listed = try await fixture.run("campaigns", "list", "--json")
        #expect(listed.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "[\n\n]" || listed.standardOutput.contains("[]"))
    }

    @Test func duplicateSlugIsRefused() async throws {
        let fixture = try await CLIFixture.make()
        _ = try await fixture.createCampaign()
        let again = try await fixture.run("campaigns", "create", fixture.folder.appendingPathComponent("campaign.yaml").path)
        #expect(!again.succeeded)
        #expect(again.standardError.contains("slug: the workspace already has a campaign \"trailblazer-spring-sale\""))
    }

    @Test func unknownCampaignIsNotFound() async throws {
        let fixture = try await CLIFixture.make()
        let result = try await fixture.run("campaigns", "show", "nope")
        #expect(result.status == 1)
        #expect(result.standardError == "herald: campaign \"nope\" not found\n")
    }

    @Test func aCampaignInAnotherWorkspaceIsNamedWithTheWayToReachIt() async throws {
        let fixture = try await CLIFixture.make()
        let campaign = try await fixture.createCampaign()  // in workspace "default"
        for command in [["campaigns", "show", campaign.slug], ["report", campaign.slug, "--format", "md"]] {
            let result = try await fixture.run(command + ["--workspace", "acme"])
            #expect(result.status == 1)
            #expect(
                result.standardError
                    == "herald: campaign \"\(campaign.slug)\" is not in workspace \"acme\"; it is in workspace \"default\": "
                    + "pass --workspace default (or set HERALD_WORKSPACE=default)\n",
                "\(command): \(result.standardError)"
            )
        }
        // A campaign that exists nowhere is simply not found.
        let nowhere = try await fixture.run("campaigns", "show", "nope", "--workspace", "acme")
        #expect(nowhere.standardError == "herald: campaign \"nope\" not found\n")
    }
}
