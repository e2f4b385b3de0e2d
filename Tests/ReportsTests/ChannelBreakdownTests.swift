import Analytics
import Foundation
import HeraldCore
import HeraldTestKit
import Testing

@testable import Reports

/// The per-channel breakdown: shares, per-channel leaders, the Simpson's-paradox warning, and every format shows it.
struct ChannelBreakdownTests {
    static let day = Date(timeIntervalSince1970: 1_772_323_200)  // 2026-03-01

    /// Counts per channel as [channel: [(key, impressions, clicks)]].
    typealias Counts = [(channel: String, arms: [(key: String, trials: Int, successes: Int)])]

    static func report(_ counts: Counts) throws -> ReportModel {
        let campaign = Campaign(
            id: CampaignID(UUID()),
            workspaceID: WorkspaceID(UUID()),
            slug: "spring",
            name: "Spring sale",
            primaryMetric: .click,
            channels: [.x, .email],
            destination: nil,
            schedule: nil,
            variants: [.init(id: VariantID(UUID()), key: "A", text: "Trail season."), .init(id: VariantID(UUID()), key: "B", text: "First ultra?")],
            createdAt: Date(timeIntervalSince1970: 0)
        )
        let keys = campaign.variants.map(\.key)
        func total(_ key: String, _ path: KeyPath<(key: String, trials: Int, successes: Int), Int>) -> Int {
            counts.flatMap(\.arms).filter { $0.key == key }.reduce(0) { $0 + $1[keyPath: path] }
        }
        let pooled = try Scorer.score(
            ScoreInput(control: "A", arms: keys.map { .init(id: $0, trials: total($0, \.trials), successes: total($0, \.successes)) })
        )
        let day = ReportModel.Day(day: Self.day, impressions: keys.map { total($0, \.trials) }, successes: keys.map { total($0, \.successes) })
        var report = ReportModel(campaign: campaign, score: pooled, alpha: 0.05, days: [day], generatedAt: Self.day.addingTimeInterval(86_400))
        let scored = try counts.map { entry in
            let days = [
                ReportModel.Day(
                    day: Self.day,
                    impressions: keys.map { key in entry.arms.first { $0.key == key }?.trials ?? 0 },
                    successes: keys.map { key in entry.arms.first { $0.key == key }?.successes ?? 0 }
                )
            ]
            if entry.arms.count == 1 {
                let arm = entry.arms[0]
                return ChannelBreakdown.Scored(
                    channel: entry.channel,
                    key: arm.key,
                    impressions: arm.trials,
                    successes: arm.successes,
                    alpha: 0.05,
                    days: days
                )
            }
            let score = try Scorer.score(
                ScoreInput(control: entry.arms[0].key, arms: entry.arms.map { .init(id: $0.key, trials: $0.trials, successes: $0.successes) })
            )
            return ChannelBreakdown.Scored(channel: entry.channel, score: score, days: days)
        }
        let leader = pooled.arms.max { $0.pBest < $1.pBest }?.id
        report.channels = ChannelBreakdown(scored, pooledLeader: leader, alpha: 0.05)
        return report
    }

    /// B is better on each channel, but A got most of its traffic on X, which engages far more: A leads pooled.
    static let simpson: Counts = [
        ("x", [("A", 10_000, 1_000), ("B", 1_000, 120)]),
        ("email", [("A", 1_000, 10), ("B", 10_000, 150)]),
    ]

    @Test func everyChannelLeadingWithAnotherVariantThanThePooledLeaderIsSimpsonsParadox() throws {
        let breakdown = try #require(try Self.report(Self.simpson).channels)
        #expect(breakdown.pooledLeader == "A")
        #expect(breakdown.simpsonsParadox)
        #expect(breakdown.channels.map(\.leader) == ["B", "B"])
        #expect(breakdown.channels.map(\.agreesWithPooled) == [false, false])
        #expect(breakdown.channels.map(\.share) == [0.5, 0.5])
        #expect(breakdown.decision == "The decision is made on all channels pooled: email 50% and x 50% of impressions.")
        #expect(breakdown.warnings.count == 1)
        #expect(breakdown.warnings[0].hasPrefix("B leads on every channel (email and x) but A leads pooled"))
        #expect(breakdown.warnings[0].contains("Simpson's paradox"))
    }

    @Test func channelsThatAgreeWarnOfNothingAndAChannelThatCrediblyDisagreesIsNamed() throws {
        let agreeing = try #require(
            try Self.report([("x", [("A", 5_000, 300), ("B", 5_000, 200)]), ("", [("A", 1_000, 60), ("B", 1_000, 40)])]).channels
        )
        #expect(!agreeing.simpsonsParadox && agreeing.warnings.isEmpty)
        #expect(agreeing.channels.map(\.label) == ["x", "without a publication"])
        #expect(agreeing.decision == "The decision is made on all channels pooled: x 83% and without a publication 17% of impressions.")
        let split = try #require(
            try Self.report([("x", [("A", 20_000, 1_200), ("B", 20_000, 800)]), ("email", [("A", 5_000, 100), ("B", 5_000, 160)])]).channels
        )
        #expect(!split.simpsonsParadox)
        #expect(split.warnings.count == 1)
        #expect(split.warnings[0].hasPrefix("On email, B leads (>99% chance to be best there) while A leads pooled"))
        // A channel where only one variant went out has no leader and is not compared.
        let single = try #require(try Self.report([("x", [("A", 1_000, 50), ("B", 1_000, 40)]), ("sms", [("B", 500, 30)])]).channels)
        #expect(single.channels.first { $0.channel == "sms" }?.leader == nil)
        #expect(single.warnings.isEmpty)
    }

    @Test func everyFormatShowsTheBreakdownAndTheWarning() throws {
        let report = try Self.report(Self.simpson)
        let markdown = MarkdownRenderer.render(report)
        #expect(markdown.contains("## Per channel"))
        #expect(markdown.contains("The decision is made on all channels pooled: email 50% and x 50% of impressions."))
        #expect(markdown.contains("> **Warning:** B leads on every channel"))
        #expect(markdown.contains("### email (50% of impressions)"))
        #expect(markdown.contains("| B (leads here, not pooled) | 10,000 | 150 | 1.50% ("))
        let html = HTMLRenderer.render(report)
        #expect(html.contains("<h2>Per channel</h2>"))
        #expect(html.contains("<p class=\"note\" role=\"alert\"><strong>Warning:</strong> B leads on every channel"))
        #expect(html.contains("leads here, not pooled"))
        let csv = CSVRenderer.render(report).split(separator: "\n")
        #expect(csv.filter { $0.hasSuffix(",all") }.count == 2)
        #expect(csv.contains("2026-03-01,B,10000,150,0.015000,10000,150,0.015000,First ultra?,email"))
        #expect(csv.contains("2026-03-01,A,10000,1000,0.100000,10000,1000,0.100000,Trail season.,x"))
        #expect(csv.count == 1 + 2 + 4)
        let json = try JSONRenderer.render(report)
        #expect(json.contains("\"simpsons_paradox\" : true"))
        #expect(json.contains("\"agrees_with_pooled\" : false"))
        #expect(try JSONRenderer.decode(json) == report)
        // A report stored before channels were recorded still reads, without a breakdown.
        var old = report
        old.channels = nil
        #expect(try JSONRenderer.decode(try JSONRenderer.render(old)).channels == nil)
        #expect(!MarkdownRenderer.render(old).contains("Per channel"))
    }

    @Test func theBreakdownValidatesAgainstTheReportSchema() throws {
        for counts in [Self.simpson, [("x", [("A", 1_000, 50), ("B", 1_000, 40)]), ("", [("B", 500, 30)])]] as [Counts] {
            let json = try JSONRenderer.render(try Self.report(counts))
            let errors = try JSONSchemaValidator(schema: try Data(contentsOf: SchemaTests.schema)).validate(Data(json.utf8))
            #expect(errors.isEmpty, "\(errors.prefix(10))")
        }
    }
}
