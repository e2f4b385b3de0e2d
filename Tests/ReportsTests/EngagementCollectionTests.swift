import Foundation
import HeraldTestKit
import Testing

@testable import Reports

/// Reports say per channel how fresh the pulled-back counts are and what the channel's exposure is.
struct EngagementCollectionTests {
    static let now = ReportFixture.start.addingTimeInterval(10 * 86_400)

    static let collection = EngagementCollection(
        [
            .init(
                channel: "x",
                platform: "X",
                reportsImpressions: true,
                published: 3,
                collectedAt: now.addingTimeInterval(-3 * 86_400),
                round: 5,
                rounds: 5
            ),
            .init(
                channel: "mastodon",
                platform: "Mastodon",
                reportsImpressions: false,
                published: 2,
                collectedAt: now.addingTimeInterval(-2 * 3_600 - 120),
                round: 2,
                rounds: 5
            ),
            .init(channel: "bluesky", platform: "Bluesky", reportsImpressions: false, published: 1, collectedAt: nil, round: nil, rounds: 5),
        ],
        now: now
    )

    @Test func saysHowFreshAndWhatTheExposureIs() {
        let lines = Self.collection.channels.map { "\($0.freshness); \($0.exposureNote)" }
        #expect(
            lines == [
                "bluesky: no counts collected yet; exposure: follower reach at posting time (Bluesky gives no impressions)",
                "mastodon: counts collected 2 h ago (round 2 of 5); exposure: follower reach at posting time (Mastodon gives no impressions)",
                "x: counts collected 3 d ago (round 5 of 5); exposure: impressions reported by X",
            ]
        )
        #expect(Self.collection.channels.map(\.exposure) == [.followerReach, .followerReach, .impressions])
        #expect(EngagementCollection.age(30) == "just now" && EngagementCollection.age(25 * 60) == "25 min ago")
        #expect(EngagementCollection.age(47 * 3_600) == "47 h ago" && EngagementCollection.age(-5) == "just now")
    }

    @Test func renderedInMarkdownHTMLAndValidJSON() throws {
        var report = try ReportFixture.model()
        report.engagementCollection = Self.collection
        let markdown = MarkdownRenderer.render(report)
        #expect(markdown.contains("## Counts pulled back from the platforms"))
        #expect(
            markdown.contains(
                "- mastodon: counts collected 2 h ago (round 2 of 5); exposure: follower reach at posting time (Mastodon gives no impressions)"
            )
        )
        let html = HTMLRenderer.render(report)
        #expect(html.contains("<li>x: counts collected 3 d ago (round 5 of 5); exposure: impressions reported by X</li>"))
        let json = try JSONRenderer.render(report)
        #expect(json.contains(#""exposure" : "follower_reach""#))
        let validator = try JSONSchemaValidator(schema: try Data(contentsOf: SchemaTests.schema))
        let errors = try validator.validate(Data(json.utf8))
        #expect(errors.isEmpty, "\(errors.prefix(10))")
        // A report without pulled-back counts shows no such section.
        #expect(!MarkdownRenderer.render(try ReportFixture.model()).contains("pulled back"))
    }
}
