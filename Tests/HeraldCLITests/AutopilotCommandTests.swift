import EmbeddedPostgres
import Foundation
import HeraldTestSupport
import Testing

/// `herald autopilot set|show|apply|dismiss|undo`, run as a person runs them.
struct AutopilotCommandTests {
    @Test func setShowAndRefuseWhatIsWrongInOneLine() async throws {
        let fixture = try await CLIFixture.make()
        let campaign = try await fixture.createCampaign()

        let set = try await fixture.run("autopilot", "set", campaign.slug, "suggest", "--rails", #"{"maximum_shift": 0.1}"#)
        #expect(set.succeeded, "\(set.standardError)")
        #expect(set.standardOutput == "\(campaign.slug): autopilot suggest\n")

        let shown = try await fixture.run("autopilot", "show", campaign.slug, "--json")
        #expect(shown.succeeded, "\(shown.standardError)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(shown.standardOutput.utf8)) as? [String: Any])
        #expect(json["mode"] as? String == "suggest")
        #expect((json["rails"] as? [String: Any])?["maximum_shift"] as? Double == 0.1)
        #expect((json["actions"] as? [Any])?.isEmpty == true)
        let text = try await fixture.run("autopilot", "show", campaign.slug)
        #expect(text.standardOutput.contains("at most 10% of traffic moved per change"), "\(text.standardOutput)")
        #expect(text.standardOutput.contains("no actions yet"))

        for (arguments, message) in [
            (["autopilot", "set", campaign.slug, "on"], "\"on\" is not one of off, suggest, auto"),
            (["autopilot", "set", campaign.slug, "auto", "--rails", #"{"max_shift": 1}"#], "autopilot.max_shift is not a guard rail"),
            (["autopilot", "set", campaign.slug, "auto", "--rails", #"{"maximum_shift": 2}"#], "maximum_shift must be above 0 and at most 1"),
            (["autopilot", "set", "no-such-campaign", "auto"], "no-such-campaign"),
            (["autopilot", "apply", "not-an-id"], "\"not-an-id\" is not an autopilot action id"),
            (["autopilot", "undo", "00000000-0000-0000-0000-000000000001"], "autopilot action"),
        ] {
            let refused = try await fixture.run(arguments)
            #expect(!refused.succeeded, "\(arguments)")
            #expect(isOneLine(refused.standardError), "\(refused.standardError)")
            #expect(refused.standardError.contains(message), "\(arguments): \(refused.standardError)")
        }
    }
}
