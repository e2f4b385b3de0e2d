import Foundation
import HeraldCore
import HeraldTestSupport
import Jobs
import PostgresNIO
import Scheduling
import Testing

@testable import Storage

struct GenerateVariantsTests {
    static let brief = """
        product: Trailblazer 2 trail shoes
        offer: 20% off this weekend
        audience: trail runners
        link: https://example.com/shoes
        hashtags: [trailrunning, ultrarunning]
        """

    func count(_ database: Database, _ sql: PostgresQuery) async throws -> Int {
        for try await value in try await database.client.query(sql, logger: database.logger).decode(Int.self) { return value }
        return -1
    }

    @Test func storesVariantsWithFeaturesOnceAndEnforcesTheWorkspacesSafetyRules() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            try await WorkspaceStore(database).setSafety(of: workspace, bannedWords: ["cheap"], requiredDisclosures: ["#ad"])
            let campaign = try await CampaignStore(database, workspace: workspace).create(
                try CampaignSpec(name: "Generated", channels: [.x], variants: [.init(key: "A", text: "one"), .init(key: "B", text: "two")])
            )
            let payload = GenerateVariantsPayload(
                campaign: campaign.id,
                workspace: workspace,
                brief: .string(Self.brief),
                channel: .x,
                count: 4,
                seed: 7
            )
            let queue = JobQueue(database)
            let handler = GenerateVariantsHandler()
            let context = JobContext(database: database, clock: SystemClock(), logger: TestDatabase.logger, worker: "test")
            for _ in 0..<2 {  // a retried job adds nothing twice
                try await queue.enqueue([JobRequest(payload: payload, runAt: Date())])
                let job = try #require(try await queue.claim(queues: ["default"], limit: 1, worker: "test", lease: 60, now: Date()).first)
                try await handler.run(job, context: context)
                try await queue.complete([job], worker: "test", now: Date())
            }
            let variants = try await CampaignStore(database, workspace: workspace).variants(of: campaign.id)
            #expect(variants.count == 6)
            for variant in variants.dropFirst(2) {
                #expect(variant.text.contains("#ad"), "\(variant.text)")
                #expect(!variant.text.lowercased().contains("cheap"))
            }
            #expect(try await count(database, "SELECT count(*)::int FROM variants WHERE generator <> 'manual' AND features ? 'length'") == 4)
        }
    }
}
