import EmbeddedPostgres
import Foundation
import HeraldCore
import HeraldTestSupport
import Storage
import Testing

/// `herald campaigns winner CAMPAIGN VARIANT_KEY [--reason TEXT]`, run as a person runs it.
struct CampaignWinnerCommandTests {
    /// Gives the fixture's campaign an audience object.
    func setAudience(_ fixture: CLIFixture, slug: String, json: String) async throws {
        try await Database.withDatabase(fixture.database, logger: TestDatabase.logger) { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let store = CampaignStore(database, workspace: workspace)
            try await store.setAudience(try await store.find(slug).id, json: json)
        }
    }

    @Test func aPersonChoosesTheWinnerOnceAndIsToldWhoChoseBefore() async throws {
        let fixture = try await CLIFixture.make()
        let campaign = try await fixture.createCampaign()
        try await setAudience(fixture, slug: campaign.slug, json: #"{"list": "newsletter", "test_share": 0.2}"#)

        let chosen = try await fixture.run("campaigns", "winner", campaign.slug, "B", "--reason", "B fits the season")
        #expect(chosen.succeeded, "\(chosen.standardError)")
        #expect(chosen.standardOutput.hasPrefix("\(campaign.slug): winner B, chosen by person at "))
        #expect(chosen.standardOutput.hasSuffix("; sending it to the rest\n"))

        let again = try await fixture.run("campaigns", "winner", campaign.slug, "A")
        #expect(!again.succeeded)
        #expect(isOneLine(again.standardError), "\(again.standardError)")
        #expect(again.standardError.contains("campaign \(campaign.slug) already has a winner: B, chosen by person at "))
        #expect(again.standardError.contains("(B fits the season)"))

        let jobs = try await fixture.run("jobs", "list", "--json")
        #expect(jobs.standardOutput.components(separatedBy: "\"send_audience\"").count == 2, "\(jobs.standardOutput)")
    }

    @Test func refusedWithoutATestShareOrForAnUnknownVariant() async throws {
        let fixture = try await CLIFixture.make()
        let campaign = try await fixture.createCampaign()

        let noAudience = try await fixture.run("campaigns", "winner", campaign.slug, "B")
        #expect(!noAudience.succeeded)
        #expect(isOneLine(noAudience.standardError))
        #expect(noAudience.standardError.contains("campaign \(campaign.slug) has no test share (audience.test_share)"), "\(noAudience.standardError)")

        try await setAudience(fixture, slug: campaign.slug, json: #"{"list": "newsletter", "test_share": 0.1, "decide_within": "2d"}"#)
        let unknown = try await fixture.run("campaigns", "winner", campaign.slug, "Z")
        #expect(!unknown.succeeded)
        #expect(isOneLine(unknown.standardError))
        #expect(unknown.standardError.contains(#"variant: "Z" is not a variant of campaign \#(campaign.slug) (A, B)"#), "\(unknown.standardError)")

        let missing = try await fixture.run("campaigns", "winner", "no-such-campaign", "A")
        #expect(!missing.succeeded)
        #expect(missing.standardError.contains("no-such-campaign"))
    }

    @Test func theWinnerMustBeAVariantWrittenForTheChannelTheListIsSentOn() async throws {
        let fixture = try await CLIFixture.make()
        let path = try fixture.write(
            "mixed.yaml",
            """
            name: Mixed letter
            channels: [email, x]
            destination: https://example.com/shoes
            dry_run: true
            audience: {list: newsletter, test_share: 0.2}
            variants:
              - {key: A, subject: "Spring sale", text: "20% off trail shoes.", channels: [email]}
              - {key: B, text: "Spring sale on trail shoes.", channels: [x]}
            """
        )
        let list = try await fixture.run("lists", "create", "newsletter")
        #expect(list.succeeded, "\(list.standardError)")
        let created = try await fixture.run("campaigns", "create", path)
        #expect(created.succeeded, "\(created.standardError)")
        let slug = created.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)

        let refused = try await fixture.run("campaigns", "winner", slug, "B")
        #expect(!refused.succeeded)
        #expect(isOneLine(refused.standardError), "\(refused.standardError)")
        #expect(
            refused.standardError.contains(
                #"variant: "B" is not written for email, the channel campaign \#(slug) sends to its list; choose one of A"#
            ),
            "\(refused.standardError)"
        )
        let chosen = try await fixture.run("campaigns", "winner", slug, "A")
        #expect(chosen.succeeded, "\(chosen.standardError)")
    }
}
