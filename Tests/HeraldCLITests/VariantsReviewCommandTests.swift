import EmbeddedPostgres
import Foundation
import HeraldCore
import HeraldTestSupport
import Storage
import Testing

/// `herald variants review|approve|reject` and `herald workspaces review-rules`, run as the real command.
struct VariantsReviewCommandTests {
    @Test func theOperatorApprovesAndRejectsGeneratedVariantsButNotTheirOwn() async throws {
        let fixture = try await CLIFixture.make()
        let (slug, a, _) = try await fixture.createCampaign()
        let shown = try await fixture.run("campaigns", "show", slug, "--json")
        #expect(shown.standardOutput.contains(#""review" : "approved""#) || shown.standardOutput.contains(#""review":"approved""#))

        // Generated variants start pending.
        let generated = try await Database.withDatabase(fixture.database, logger: TestDatabase.logger) { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let campaigns = CampaignStore(database, workspace: workspace)
            let campaign = try await campaigns.find(slug)
            try await campaigns.insertGeneratedVariants(
                [
                    .init(key: "G1", text: "Grip for wet rock.", featuresJSON: "{}", generator: "rules/en"),
                    .init(key: "G2", text: "Made for the mud.", featuresJSON: "{}", generator: "llm:test"),
                ],
                into: campaign.id
            )
            return try await campaigns.find(campaign.id).variants.filter { $0.key.hasPrefix("G") }.map(\.id.description)
        }
        let listed = try await fixture.run("variants", "review", slug)
        #expect(listed.succeeded, "\(listed.standardError)")
        #expect(listed.standardOutput.contains("\(slug)/G1  rules/en"))
        #expect(listed.standardOutput.contains("Made for the mud."))

        let approved = try await fixture.run("variants", "approve", generated[0], "--comment", "On brand")
        #expect(approved.succeeded, "\(approved.standardError)")
        #expect(approved.standardOutput.contains("\(slug)/G1 \(generated[0]): approved"))
        let bare = try await fixture.run("variants", "reject", generated[1])
        #expect(!bare.succeeded)
        #expect(isOneLine(bare.standardError) && bare.standardError.contains("--comment"))
        let rejected = try await fixture.run("variants", "reject", generated[1], "--comment", "Too vague", "--json")
        #expect(rejected.succeeded, "\(rejected.standardError)")
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(rejected.standardOutput.utf8)) as? [String: Any])
        #expect(answer["state"] as? String == "rejected")
        #expect((answer["decisions"] as? [[String: Any]])?.first?["actor"] as? String == "cli:\(ProcessInfo.processInfo.userName)")
        #expect(try await fixture.run("variants", "review", slug).standardOutput.contains("Nothing is pending review."))

        // What the operator wrote by hand, with review required, they may not approve themselves.
        let rules = try await fixture.run("workspaces", "review-rules", "--review-hand-written", "true", "--approvals", "2")
        #expect(rules.succeeded, "\(rules.standardError)")
        #expect(rules.standardOutput.contains("approvals required: 2"))
        let second = try fixture.write("second.yaml", "name: Second\nchannels: [x]\ndry_run: true\nvariants:\n  - {key: A, text: \"Hello trail\"}\n")
        #expect(try await fixture.run("campaigns", "create", second).succeeded)
        let mine = try await fixture.run("campaigns", "show", "second", "--json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(mine.standardOutput.utf8)) as? [String: Any])
        let variant = try #require((object["variants"] as? [[String: Any]])?.first)
        #expect(variant["review"] as? String == "pending")
        let own = try await fixture.run("variants", "approve", try #require(variant["id"] as? String))
        #expect(!own.succeeded)
        #expect(isOneLine(own.standardError) && own.standardError.contains("someone else must approve it"))
        let published = try await fixture.run("campaigns", "publish", "second")
        #expect(published.standardOutput.contains("not published, not approved: A (pending)"))
        _ = a

        let log = try await Database.withDatabase(fixture.database, logger: TestDatabase.logger) { database in
            try await AuditLog(database, workspace: try await WorkspaceStore(database).ensure(slug: "default")).entries()
        }
        #expect(log.map(\.action) == ["review.settings", "variant.reject", "variant.approve"])
    }
}
