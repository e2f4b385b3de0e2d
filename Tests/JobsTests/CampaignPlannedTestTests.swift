import Analytics
import Foundation
import HeraldCore
import HeraldTestSupport
import Jobs
import Reports
import Storage
import Testing

/// A campaign with `design: {horizon: N}`: each stored analysis is a look of its group-sequential test, the first look
/// at or past the horizon is the final analysis, and the report says which look it is.
struct CampaignPlannedTestTests {
    static let start = Date(timeIntervalSince1970: 1_772_323_200)

    /// `count` impressions per variant on `day`, and `clicks[i]` clicks of them for variant i.
    static func events(_ campaign: Campaign, day: Int, count: Int, clicks: [Int]) -> [EngagementEvent] {
        var events: [EngagementEvent] = []
        for (variant, clickCount) in zip(campaign.variants, clicks) {
            for index in 0..<count {
                let time = start.addingTimeInterval(Double(day) * 86_400 + Double(index % 20) * 600)
                events.append(EngagementEvent(id: EventID(UUID()), variantID: variant.id, kind: .impression, occurredAt: time))
                if index < clickCount { events.append(EngagementEvent(id: EventID(UUID()), variantID: variant.id, kind: .click, occurredAt: time)) }
            }
        }
        return events
    }

    static let file = """
        name: Planned test
        channels: [mastodon]
        dry_run: true
        design: {horizon: 4000}
        variants: ["Spring sale: 20% off.", "Spring sale: 20% off everything, today only."]
        """

    @Test func eachAnalysisIsALookAndTheOneAtTheHorizonIsTheFinalAnalysis() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let campaign = try await CampaignStore(database, workspace: workspace).create(try CampaignSpec(parsing: Self.file, source: "c.yaml"))
            #expect(campaign.design?.horizon == 4_000)
            let ingestor = EventIngestor(database, workspace: workspace)
            let analysis = CampaignAnalysis(database: database, workspace: workspace)
            func analyze(day: Int) async throws -> CampaignAnalysis.Outcome {
                try await analysis.analyze(campaign, now: Self.start.addingTimeInterval(Double(day + 1) * 86_400))
            }

            _ = try await ingestor.ingest(Self.events(campaign, day: 0, count: 600, clicks: [30, 36]))
            let first = try await analyze(day: 0)
            #expect(first.input.design == ScoreInput.Design(horizon: 4_000, looks: []))
            #expect(first.report.plannedTest == PlannedTest(horizon: 4_000, look: 1, impressions: 1_200, isFinal: false, hasEnded: false))
            // The same counts analysed again are the same look.
            #expect(try await analyze(day: 0).report.plannedTest?.look == 1)

            _ = try await ingestor.ingest(Self.events(campaign, day: 1, count: 800, clicks: [40, 50]))
            let second = try await analyze(day: 1)
            #expect(second.input.design == ScoreInput.Design(horizon: 4_000, looks: [1_200]))
            #expect(second.report.plannedTest?.look == 2)
            // The calls are those of the planned test with these looks, not of the always-valid one.
            let arms = second.input.arms
            let planned = try Scorer.score(ScoreInput(control: "A", arms: arms, design: .init(horizon: 4_000, looks: [1_200])))
            let anytime = try Scorer.score(ScoreInput(control: "A", arms: arms))
            let p = second.score.arms[1].vsControl?.sequential?.pValueHolm
            #expect(p == planned.arms[1].vsControl?.sequential?.pValueHolm)
            #expect(p != anytime.arms[1].vsControl?.sequential?.pValueHolm)
            #expect(!MarkdownRenderer.render(second.report).contains("always-valid confidence sequence"))
            #expect(MarkdownRenderer.render(second.report).contains("planned for 4,000 impressions"))
            #expect(MarkdownRenderer.render(second.report).contains("look 2, at 2,800 impressions"))

            // Traffic overran the plan: this look is the final analysis, and the report says so.
            _ = try await ingestor.ingest(Self.events(campaign, day: 2, count: 800, clicks: [40, 52]))
            let final = try await analyze(day: 2)
            #expect(final.input.design == ScoreInput.Design(horizon: 4_000, looks: [1_200, 2_800]))
            #expect(final.report.plannedTest == PlannedTest(horizon: 4_000, look: 3, impressions: 4_400, isFinal: true, hasEnded: false))
            #expect(final.score.recommendations.contains { $0.reason.contains("This is the final analysis") })
            #expect(MarkdownRenderer.render(final.report).contains("This is the final analysis"))
            #expect(HTMLRenderer.render(final.report).contains("look 3, the final analysis"))

            // After it, the test has ended: later counts decide nothing.
            _ = try await ingestor.ingest(Self.events(campaign, day: 3, count: 100, clicks: [5, 30]))
            let after = try await analyze(day: 3)
            #expect(after.report.plannedTest?.hasEnded == true)
            #expect(after.score.recommendations.allSatisfy { $0.action != .declareWinner && $0.action != .stopArm })
            #expect(after.score.recommendations.contains { $0.reason.contains("The test ended at its final analysis") })

            let stored = try #require(try await AnalysisStore(database, workspace: workspace).latestReport(campaign: campaign.id)?.reportJSON)
            #expect(stored.contains(#""planned_test""#))
            #expect(stored.contains(#""has_ended":true"#) || stored.contains(#""has_ended": true"#))
        }
    }

    @Test func withoutAPlanTheCallsStayAlwaysValid() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let spec = try CampaignSpec(parsing: Self.file.replacingOccurrences(of: "design: {horizon: 4000}\n", with: ""), source: "c.yaml")
            let campaign = try await CampaignStore(database, workspace: workspace).create(spec)
            #expect(campaign.design == nil)
            _ = try await EventIngestor(database, workspace: workspace).ingest(Self.events(campaign, day: 0, count: 600, clicks: [30, 36]))
            let outcome = try await CampaignAnalysis(database: database, workspace: workspace).analyze(
                campaign,
                now: Self.start.addingTimeInterval(86_400)
            )
            #expect(outcome.input.design == nil)
            #expect(outcome.report.plannedTest == nil)
            #expect(MarkdownRenderer.render(outcome.report).contains("always-valid confidence sequence"))
        }
    }
}
