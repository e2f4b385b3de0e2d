import EmbeddedPostgres
import Foundation
import HeraldCore
import HeraldTestSupport
import Storage
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
    /// `herald autopilot apply` of a pending schedule move rewrites the campaign's schedule (a `;` list when one cron
    /// expression cannot hold the hours), `undo` puts the rule before back, and a second apply is refused in one line.
    @Test func applyAndUndoAScheduleMove() async throws {
        let fixture = try await CLIFixture.make()
        let path = try fixture.write(
            "autumn.yaml",
            """
            name: Autumn trail
            channels: [mastodon]
            dry_run: true
            schedule: {cron: "30 9 * * MON-FRI", tz: Europe/Berlin}
            variants:
              - {key: A, text: "Trail season is here."}
              - {key: B, text: "Ready for your first ultra?"}
            """
        )
        let created = try await fixture.run("campaigns", "create", path)
        #expect(created.succeeded, "\(created.standardError)")
        let slug = created.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        let action = try await Database.withDatabase(fixture.database, logger: TestDatabase.logger) { database in
            let workspace = try await WorkspaceStore(database).find(slug: "default")
            let campaign = try await CampaignStore(database, workspace: workspace).find(slug)
            let json = #"{"from": [9, 33, 57, 81, 105], "hours": [10, 43, 91, 130, 154], "kind": "move_schedule", "reason": "Evenings stand out."}"#
            try await AnalysisStore(database, workspace: workspace).insert(
                campaign: campaign.id,
                resultJSON: "{}",
                reportJSON: "{}",
                at: Date(),
                plan: [.init(kind: "move_schedule", json: json, reason: "Evenings stand out.")]
            )
            return try #require(try await AutopilotStore(database, workspace: workspace).actions(campaign: campaign.id).first)
        }
        func rule() async throws -> String? {
            try await Database.withDatabase(fixture.database, logger: TestDatabase.logger) { database in
                try await ScheduleStore(database).list().first?.rule
            }
        }

        let applied = try await fixture.run("autopilot", "apply", action.id.uuidString)
        #expect(applied.succeeded, "\(applied.standardError)")
        #expect(applied.standardOutput.contains("applied: move_schedule"), "\(applied.standardOutput)")
        #expect(try await rule() == "30 10 * * MON,SAT,SUN; 30 19 * * TUE,THU")
        let twice = try await fixture.run("autopilot", "apply", action.id.uuidString)
        #expect(!twice.succeeded && isOneLine(twice.standardError), "\(twice.standardError)")
        #expect(twice.standardError.contains("only a pending action can be applied"), "\(twice.standardError)")

        let undone = try await fixture.run("autopilot", "undo", action.id.uuidString)
        #expect(undone.succeeded, "\(undone.standardError)")
        #expect(undone.standardOutput.contains("undone: move_schedule"), "\(undone.standardOutput)")
        #expect(try await rule() == "30 9 * * MON-FRI")
    }
}
