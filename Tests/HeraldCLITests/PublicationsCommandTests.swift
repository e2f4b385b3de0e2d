import EmbeddedPostgres
import Foundation
import HeraldCore
import HeraldTestSupport
import PostgresNIO
import Testing

@testable import Storage

/// `herald publications list|retry`, `herald webhooks add|list|remove` and the dry-run line of `campaigns show`, run as
/// a person runs them.
struct PublicationsCommandTests {
    /// Runs one statement on the fixture's database.
    func execute(_ fixture: CLIFixture, _ query: PostgresQuery) async throws {
        try await Database.withDatabase(fixture.database, logger: TestDatabase.logger) { database in
            try await database.client.execute(query, logger: database.logger)
        }
    }

    @Test func failedPublicationsAreListedWithTheirReasonAndSentAgain() async throws {
        let fixture = try await CLIFixture.make()
        let (slug, _, _) = try await fixture.createCampaign()
        let published = try await fixture.run("campaigns", "publish", slug, "--json")
        #expect(published.succeeded, "\(published.standardError)")
        let lines = try #require(try JSONSerialization.jsonObject(with: Data(published.standardOutput.utf8)) as? [[String: Any]])
        let id = try #require(lines.first?["id"] as? String)
        try await execute(
            fixture,
            "UPDATE publications SET status = 'failed', failure_class = 'auth', error = 'The access token was revoked' WHERE id = \(UUID(uuidString: id)!)"
        )

        // Without a campaign: every failed publication of the workspace.
        let listed = try await fixture.run("publications", "list", "--state", "failed", "--json")
        #expect(listed.succeeded, "\(listed.standardError)")
        let failed = try #require(try JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8)) as? [[String: Any]])
        #expect(failed.count == 1)
        let line = try #require(failed.first)
        for key in ["id", "variant", "channel", "account", "state", "text", "tracking_url", "provider_id", "provider_url", "error"] {
            #expect(line.keys.contains(key), "missing \(key)")
        }
        #expect(line["id"] as? String == id && line["state"] as? String == "failed" && line["campaign"] as? String == slug)
        #expect(line["error"] as? String == "The access token was revoked" && line["failure_class"] as? String == "auth")
        let text = try await fixture.run("publications", "list", "--state", "failed")
        #expect(text.standardOutput.contains("\(slug)  \(id)") && text.standardOutput.contains("auth: The access token was revoked"))

        let bogus = try await fixture.run("publications", "list", slug, "--state", "publishing")
        #expect(bogus.status == 1 && isOneLine(bogus.standardError))
        #expect(
            bogus.standardError.contains(
                "\"publishing\" is not a publication state; one of scheduled, sending, published, failed, cancelled, dry_run"
            )
        )

        let retried = try await fixture.run("publications", "retry", id)
        #expect(retried.succeeded, "\(retried.standardError)")
        #expect(retried.standardOutput == "\(id) scheduled: it goes out again (retry 1)\n")
        let again = try await fixture.run("publications", "retry", id)
        #expect(again.status == 1 && isOneLine(again.standardError))
        #expect(again.standardError.contains("is scheduled and will go out"))
        let unknown = try await fixture.run("publications", "retry", UUID().uuidString)
        #expect(unknown.status == 1 && unknown.standardError.contains("not found"))
        let jobs = try await fixture.run("jobs", "list", "--json")
        #expect(jobs.standardOutput.contains("publish:"), "a publish job is queued for it: \(jobs.standardOutput)")
    }

    @Test func aDryRunCampaignSaysNothingWasPosted() async throws {
        let fixture = try await CLIFixture.make()
        let (slug, _, _) = try await fixture.createCampaign()
        #expect(try await fixture.run("campaigns", "publish", slug).succeeded)
        try await execute(fixture, "UPDATE campaigns SET dry_run = true")
        try await execute(fixture, "UPDATE publications SET status = 'dry_run'")
        let shown = try await fixture.run("campaigns", "show", slug)
        #expect(shown.standardOutput.contains("dry run: nothing was posted"))
        let json = try await fixture.run("campaigns", "show", slug, "--json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        #expect(object["dry_run"] as? Bool == true)
        let listed = try await fixture.run("publications", "list", slug, "--state", "dry_run")
        #expect(listed.succeeded && listed.standardOutput.contains("dry_run (dry run: nothing was posted)"), "\(listed.standardOutput)")
        let report = try await fixture.run("report", slug, "--format", "md", "--out", fixture.folder.appendingPathComponent("reports").path)
        #expect(report.succeeded, "\(report.standardError)")
        let written = try String(
            contentsOf: fixture.folder.appendingPathComponent("reports/\(slug)/latest/report.md"),
            encoding: .utf8
        )
        #expect(written.contains("dry run: nothing was posted"))
    }

    @Test func webhooksAreAddedListedAndRemoved() async throws {
        let fixture = try await CLIFixture.make()
        let added = try await fixture.run(
            ["webhooks", "add", "https://hooks.example.com/herald", "--secret-env", "HERALD_WEBHOOK_OPS", "--events", "publication.failed"],
            environment: ["HERALD_WEBHOOK_OPS": "s3cret"]
        )
        #expect(added.succeeded, "\(added.standardError)")
        let id = added.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(UUID(uuidString: id) != nil && added.standardError.isEmpty)
        let unset = try await fixture.run("webhooks", "add", "https://hooks.example.com/all", "--secret-env", "HERALD_WEBHOOK_ELSEWHERE")
        #expect(unset.succeeded && unset.standardError.contains("HERALD_WEBHOOK_ELSEWHERE is not set here"))
        let refused = try await fixture.run("webhooks", "add", "https://hooks.example.com/x", "--secret-env", "DATABASE_URL")
        #expect(refused.status == 1 && isOneLine(refused.standardError) && refused.standardError.contains("HERALD_WEBHOOK_"))
        let badEvent = try await fixture.run(
            "webhooks",
            "add",
            "https://hooks.example.com/x",
            "--secret-env",
            "HERALD_WEBHOOK_OPS",
            "--events",
            "nope"
        )
        #expect(badEvent.status == 1 && badEvent.standardError.contains("\"nope\" is not a lifecycle event"))
        let badURL = try await fixture.run("webhooks", "add", "ftp://hooks.example.com/x", "--secret-env", "HERALD_WEBHOOK_OPS")
        #expect(badURL.status == 1)

        let listed = try await fixture.run("webhooks", "list", "--json")
        let webhooks = try #require(try JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8)) as? [[String: Any]])
        #expect(webhooks.count == 2)
        #expect(webhooks.first?["id"] as? String == id && webhooks.first?["events"] as? [String] == ["publication.failed"])
        #expect(webhooks.last?["events"] as? [String] == ["publication.published", "publication.failed", "account.needs_reconnect"])
        #expect(!listed.standardOutput.contains("s3cret"))
        #expect(try await fixture.run("webhooks", "remove", id).succeeded)
        let gone = try await fixture.run("webhooks", "remove", id)
        #expect(gone.status == 1 && gone.standardError.contains("not found"))
    }
}
