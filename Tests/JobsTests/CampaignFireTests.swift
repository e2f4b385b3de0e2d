import Foundation
import HeraldCore
import HeraldTestSupport
import Jobs
import Logging
import Storage
import Testing

@Suite struct CampaignFireTests {
    /// Fires at once (a manual publish racing scheduled ones) take turns per channel: the rotation sees every choice,
    /// so equal weights still split the posts evenly, and a repeated fire adds nothing.
    @Test func concurrentFiresFollowTheSplitExactly() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let campaign = try await CampaignStore(database, workspace: workspace).create(
                try CampaignSpec(
                    name: "Race",
                    channels: [.x],
                    destination: "https://shop.example.com",
                    variants: [.init(key: "A", text: "One."), .init(key: "B", text: "Two.")]
                )
            )
            let fire = CampaignFire(database: database, publicURL: "https://h.example", logger: Logger(label: "test.fire"))
            let start = Date(timeIntervalSince1970: 1_790_000_000)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<12 {
                    // Every fire instant twice: a repeated fire must find the first one's publication.
                    for _ in 0..<2 {
                        group.addTask { _ = try await fire.fire(campaign, at: start.addingTimeInterval(Double(index) * 3_600), now: start) }
                    }
                }
                try await group.waitForAll()
            }
            let publications = try await PublicationStore(database).list(workspace: workspace, campaign: campaign.id)
            #expect(publications.count == 12)
            let keys = Dictionary(uniqueKeysWithValues: campaign.variants.map { ($0.id, $0.key) })
            let perVariant = Dictionary(grouping: publications, by: { keys[$0.variant] ?? "?" }).mapValues(\.count)
            #expect(perVariant == ["A": 6, "B": 6])
            #expect(Set(publications.map(\.trackingCode)).count == 12)
        }
    }
}
