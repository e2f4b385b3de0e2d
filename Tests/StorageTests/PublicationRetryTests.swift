import Foundation
import HeraldCore
import HeraldTestSupport
import PostgresNIO
import Testing

@testable import Storage

/// `PublicationStore.retry`: a failed or cancelled publication goes back to scheduled with a new publish job, and
/// every other state, or a campaign that does not publish, is refused with a reason.
struct PublicationRetryTests {
    let now = Date(timeIntervalSince1970: 1_767_225_600)

    /// A workspace, a two-variant campaign on mastodon and a publication of A stored in `state`.
    func publication(_ database: Database, state: String, failureClass: String? = nil) async throws -> (WorkspaceID, Campaign, Publication) {
        let workspace = try await WorkspaceStore(database).ensure(slug: "acme")
        let campaign = try await CampaignStore(database, workspace: workspace).create(
            try CampaignSpec(name: "Retry", channels: [.mastodon], variants: [.init(key: "A", text: "one"), .init(key: "B", text: "two")])
        )
        let made = try await PublicationStore(database).create(
            workspace: workspace,
            campaign: campaign.id,
            variant: campaign.variants[0].id,
            channel: .mastodon,
            scheduledAt: now,
            idempotencyKey: "retry-test"
        )
        try await database.client.execute(
            "UPDATE publications SET status = \(state), error = 'the platform said no', failure_class = \(failureClass) WHERE id = \(made.id)",
            logger: database.logger
        )
        return (workspace, campaign, try await PublicationStore(database).find(made.id))
    }

    func publishJobs(_ database: Database) async throws -> [JobRecord] {
        try await JobQueue(database).list(limit: 100).filter { $0.kind == JobKind.publish.rawValue }
    }

    @Test func aFailedPublicationGoesBackToScheduledWithANewPublishJob() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let (workspace, _, failed) = try await publication(database, state: "failed", failureClass: "transient")
            let retried = try await PublicationStore(database).retry(failed.id, workspace: workspace, now: now)
            #expect(retried.status == "scheduled")
            #expect(retried.error == nil && retried.failureClass == nil)
            #expect(retried.retries == 1)
            let jobs = try await publishJobs(database)
            #expect(jobs.count == 1)
            #expect(jobs.first?.state == "pending")
            #expect(jobs.first?.uniqueKey == "publish:retry-test")
            // Scheduled again, it cannot be retried a second time until it fails again.
            let error = await #expect(throws: ConflictError.self) { try await PublicationStore(database).retry(failed.id, workspace: workspace) }
            #expect(error?.message.contains("scheduled") == true)
            #expect(try await publishJobs(database).count == 1)
        }
    }

    @Test func aCancelledPublicationCanBeSentAgain() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let (workspace, _, cancelled) = try await publication(database, state: "cancelled")
            #expect(try await PublicationStore(database).retry(cancelled.id, workspace: workspace, now: now).status == "scheduled")
        }
    }

    @Test func publishedDryRunSendingAndRuleBreakingPublicationsAreRefusedWithAReason() async throws {
        let cases: [(state: String, failureClass: String?, says: String)] = [
            ("published", nil, "already published"), ("dry_run", nil, "dry run"), ("sending", nil, "being sent"),
            ("failed", "rules", "channel's rules"),
        ]
        for (state, failureClass, says) in cases {
            try await TestDatabase.withFreshDatabase { database in
                let (workspace, _, stored) = try await publication(database, state: state, failureClass: failureClass)
                let error = await #expect(throws: ConflictError.self) { try await PublicationStore(database).retry(stored.id, workspace: workspace) }
                #expect(error?.message.contains(says) == true, "\(state): \(String(describing: error))")
                #expect(try await PublicationStore(database).find(stored.id).status == state)
                #expect(try await publishJobs(database).isEmpty)
            }
        }
    }

    @Test func aPausedOrEndedCampaignRefusesTheRetry() async throws {
        for action in [CampaignAction.pause, .end] {
            try await TestDatabase.withFreshDatabase { database in
                let (workspace, campaign, failed) = try await publication(database, state: "failed", failureClass: "auth")
                _ = try await CampaignStore(database, workspace: workspace).apply(action, to: campaign.id, now: now) { _ in nil }
                let error = await #expect(throws: ConflictError.self) { try await PublicationStore(database).retry(failed.id, workspace: workspace) }
                #expect(
                    error?.message.contains("its campaign retry is \(action == .pause ? "paused" : "ended")") == true,
                    "\(String(describing: error))"
                )
                if action == .pause { #expect(error?.message.contains("herald campaigns resume retry") == true) }
                #expect(try await PublicationStore(database).find(failed.id).status == "failed")
                #expect(try await publishJobs(database).isEmpty)
            }
        }
    }

    @Test func anotherWorkspacesPublicationIsNotFound() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let (_, _, failed) = try await publication(database, state: "failed")
            let other = try await WorkspaceStore(database).ensure(slug: "other")
            await #expect(throws: NotFoundError.self) { try await PublicationStore(database).retry(failed.id, workspace: other) }
            await #expect(throws: NotFoundError.self) { try await PublicationStore(database).retry(UUID(), workspace: failed.workspace) }
        }
    }

    @Test func workspaceListingFiltersByStateAndCampaignAndNamesThem() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let (workspace, campaign, failed) = try await publication(database, state: "failed", failureClass: "rejected_content")
            let store = PublicationStore(database)
            let listed = try await store.list(workspace: workspace, campaign: nil, state: .failed)
            #expect(listed.map(\.publication.id) == [failed.id])
            #expect(listed.first?.campaignSlug == "retry" && listed.first?.variantKey == "A" && listed.first?.dryRun == false)
            #expect(listed.first?.publication.failureClass == "rejected_content")
            #expect(try await store.list(workspace: workspace, campaign: campaign.id, state: .published).isEmpty)
            #expect(try await store.list(workspace: workspace, campaign: campaign.id, state: nil).count == 1)
            #expect(try await store.stateCounts(workspace: workspace, campaign: campaign.id) == [.failed: 1])
        }
    }

    @Test func gaugesCountEveryConnectorAndStatePair() async throws {
        try await TestDatabase.withFreshDatabase { database in
            _ = try await publication(database, state: "failed")
            let counts = try await DeliveryGauges(database).publications()
            #expect(counts.count == DeliveryGauges.connectors.count * PublicationState.allCases.count)
            #expect(counts.first { $0.labels == ["none", "failed"] }?.value == 1)
            #expect(counts.first { $0.labels == ["mastodon", "published"] }?.value == 0)
            let accounts = try await DeliveryGauges(database).accounts()
            #expect(accounts.count == 5 * 3)
            #expect(accounts.allSatisfy { $0.value == 0 })
        }
    }
}
