import Analytics
import Foundation
import HeraldCore
import HeraldTestSupport
import Jobs
import Reports
import Storage
import Testing

/// Conversion value through the real database: rollups → analysis → report, and `primary_metric: revenue`.
struct CampaignAnalysisValueTests {
    static let start = Date(timeIntervalSince1970: 1_772_323_200)

    /// Impressions and conversions for each variant: the same conversion rate (3%), but B's orders are worth more.
    static func events(_ campaign: Campaign, orderValues: [Double]) -> (events: [EngagementEvent], sums: [Double]) {
        var events: [EngagementEvent] = []
        var sums: [Double] = []
        for (variant, orderValue) in zip(campaign.variants, orderValues) {
            var sum = 0.0
            for index in 0..<20_000 {
                let time = start.addingTimeInterval(Double(index % 72) * 3_600)
                events.append(EngagementEvent(id: EventID(UUID()), variantID: variant.id, kind: .impression, occurredAt: time))
                guard index % 100 < 3 else { continue }
                // One conversion in 30 carries no value (counts as 0); the rest vary ±50% around the order value.
                let value: Double? = index % 1_000 == 0 ? nil : orderValue * (0.5 + Double(index % 7) / 6)
                sum += value ?? 0
                events.append(EngagementEvent(id: EventID(UUID()), variantID: variant.id, kind: .conversion, occurredAt: time, value: value))
            }
            sums.append(sum)
        }
        return (events, sums)
    }

    @Test func revenueAsPrimaryMetricDecidesOnValue() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let store = CampaignStore(database, workspace: workspace)
            let spec = try CampaignSpec(
                parsing: """
                    name: Basket value test
                    primary_metric: revenue
                    channels: [email]
                    dry_run: true
                    variants:
                      - {key: A, subject: "Spring sale", text: "Spring sale: 20% off."}
                      - {key: B, subject: "Spring sale", text: "Spring sale: 20% off, free shipping over 50."}
                    """,
                source: "campaign.yaml"
            )
            #expect(spec.primaryMetric == .revenue)
            let campaign = try await store.create(spec)
            #expect(try await store.find(campaign.id).primaryMetric == .revenue)
            let (events, sums) = Self.events(campaign, orderValues: [40, 60])
            _ = try await EventIngestor(database, workspace: workspace).ingest(events)

            let outcome = try await CampaignAnalysis(database: database, workspace: workspace).analyze(
                campaign,
                now: Self.start.addingTimeInterval(4 * 86_400)
            )
            let revenue = try #require(outcome.revenue)
            #expect(revenue.variants.map(\.impressions) == [20_000, 20_000])
            #expect(revenue.variants.map(\.conversions) == [600, 600])
            for (line, sum) in zip(revenue.variants, sums) {
                #expect(abs(line.revenue - sum) < 1e-6 * sum)
            }
            // Equal conversion rates, so only revenue can call B the winner.
            #expect(outcome.score.arms.map(\.successes) == [600, 600])
            let winner = try #require(outcome.score.recommendations.first { $0.action == .declareWinner })
            #expect(winner.arm == "B")
            #expect(winner.reason.contains("averages"))
            #expect(outcome.report.headline.verdict == .winner)
            #expect(outcome.report.headline.text.contains("revenue per impression"))
            #expect(outcome.report.primaryMetric == .revenue)
            #expect(outcome.report.days.allSatisfy { $0.valueSums != nil })
            #expect(abs((outcome.report.days.compactMap { $0.valueSums?[1] }.reduce(0, +)) - sums[1]) < 1e-6 * sums[1])

            let stored = try #require(try await AnalysisStore(database, workspace: workspace).recent(campaign: campaign.id).first)
            #expect(stored.resultJSON.contains("\"revenue\""))
            #expect(stored.resultJSON.contains("\"per_impression_interval\"") || stored.resultJSON.contains("\"perImpressionInterval\""))
        }
    }

    @Test func valuesAreReportedForARateCampaignWithoutChangingItsCalls() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let campaign = try await CampaignStore(database, workspace: workspace).create(
                try CampaignSpec(
                    name: "Conversion test",
                    primaryMetric: .conversion,
                    channels: [.email],
                    variants: [
                        .init(key: "A", text: "One.", email: .init(subject: "One", body: "One.")),
                        .init(key: "B", text: "Two.", email: .init(subject: "Two", body: "Two.")),
                    ],
                    dryRun: true
                )
            )
            let (events, _) = Self.events(campaign, orderValues: [40, 60])
            _ = try await EventIngestor(database, workspace: workspace).ingest(events)
            let outcome = try await CampaignAnalysis(database: database, workspace: workspace).analyze(
                campaign,
                now: Self.start.addingTimeInterval(4 * 86_400)
            )
            #expect(outcome.revenue != nil)
            #expect(!outcome.score.recommendations.contains { $0.action == .declareWinner })
            #expect(MarkdownRenderer.render(outcome.report).contains("## Revenue"))
            #expect(CSVRenderer.render(outcome.report).contains(",revenue,cumulative_revenue,"))
        }
    }

    @Test func revenueWithoutValuesSaysSo() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let campaign = try await CampaignStore(database, workspace: workspace).create(
                try CampaignSpec(
                    name: "No values yet",
                    primaryMetric: .revenue,
                    channels: [.x],
                    variants: [.init(key: "A", text: "One."), .init(key: "B", text: "Two.")]
                )
            )
            let impressions = campaign.variants.flatMap { variant in
                (0..<100).map { _ in EngagementEvent(id: EventID(UUID()), variantID: variant.id, kind: .impression, occurredAt: Self.start) }
            }
            _ = try await EventIngestor(database, workspace: workspace).ingest(impressions)
            let outcome = try await CampaignAnalysis(database: database, workspace: workspace).analyze(
                campaign,
                now: Self.start.addingTimeInterval(86_400)
            )
            #expect(outcome.revenue == nil)
            #expect(outcome.score.recommendations.first?.reason.hasPrefix("No conversion carries a value yet") == true)
        }
    }

    @Test func anUnknownMetricNamesTheChoices() {
        #expect {
            try CampaignSpec(parsing: "name: X\nprimary_metric: sales\nchannels: [x]\nvariants: [{text: a}, {text: b}]", source: "c.yaml")
        } throws: { error in
            "\(error)".contains("\"sales\" is not one of click, like, share, comment, conversion, revenue")
        }
    }
}
