import Foundation
import HeraldCore
import HeraldTestSupport
import Jobs
import PostgresNIO
import Reports
import Testing

@testable import Storage

/// A campaign's report lists its failed publications with their reasons, and names a dry run in every format.
struct ReportPublicationsTests {
    let start = Date(timeIntervalSince1970: 1_772_323_200)

    @Test func theReportListsFailedPublicationsWithReasonsAndNamesTheDryRun() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "acme")
            let created = try await CampaignStore(database, workspace: workspace).create(
                try CampaignSpec(name: "Rehearsal", channels: [.mastodon], variants: [.init(key: "A", text: "one"), .init(key: "B", text: "two")])
            )
            let store = PublicationStore(database)
            var ids: [UUID] = []
            for (index, variant) in created.variants.enumerated() {
                let made = try await store.create(
                    workspace: workspace,
                    campaign: created.id,
                    variant: variant.id,
                    channel: .mastodon,
                    scheduledAt: start.addingTimeInterval(Double(index) * 60),
                    idempotencyKey: "report-\(index)"
                )
                ids.append(made.id)
            }
            try await database.client.execute(
                "UPDATE publications SET status = 'failed', failure_class = 'auth', error = 'The access token was revoked' WHERE id = \(ids[1])",
                logger: database.logger
            )
            try await database.client.execute("UPDATE publications SET status = 'dry_run' WHERE id = \(ids[0])", logger: database.logger)
            try await database.client.execute("UPDATE campaigns SET dry_run = true WHERE id = \(created.id.uuid)", logger: database.logger)
            let campaign = try await CampaignStore(database, workspace: workspace).find(created.id)
            #expect(campaign.dryRun)

            let report = try await CampaignAnalysis(database: database, workspace: workspace).analyze(campaign, now: start).report
            let summary = try #require(report.publications)
            #expect(summary.dryRun)
            #expect(summary.counts == [.init(state: "failed", count: 1), .init(state: "dry_run", count: 1)])
            #expect(summary.failed.map(\.id) == [ids[1].uuidString.lowercased()])
            #expect(summary.failed.first?.variant == "B" && summary.failed.first?.failureClass == "auth")

            let markdown = MarkdownRenderer.render(report)
            #expect(markdown.contains("dry run: nothing was posted"))
            #expect(markdown.contains("The access token was revoked"))
            let html = HTMLRenderer.render(report)
            #expect(html.contains("dry run: nothing was posted") && html.contains("The access token was revoked"))
            let csv = CSVRenderer.render(report)
            #expect(csv.contains(",,,,,dry_run,,dry run: nothing was posted"))
            #expect(
                csv.contains(
                    "\(ids[1].uuidString.lowercased()),B,mastodon,,\(Timestamp.format(start.addingTimeInterval(60))),failed,auth,The access token was revoked"
                )
            )
            let json = try JSONRenderer.render(report)
            #expect(json.contains(#""dry_run" : true"#) && json.contains("The access token was revoked"))
            #expect(try JSONRenderer.decode(json) == report)
        }
    }
}
