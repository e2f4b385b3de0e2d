import Connectors
import Crypto
import Foundation
import HeraldCore
import HeraldTestSupport
import Jobs
import PlatformStandIns
import PostgresNIO
import Scheduling
import Testing

@testable import Storage

/// The review gate where publishing happens: the publish job refuses a pending or rejected variant whatever queued it,
/// and a campaign's fire publishes only approved variants. Against a real webhook receiver on loopback.
@Suite struct ReviewGateTests {
    static let approver = AuditActor.token(UUID(), name: "approver", role: .approver)
    static let editor = AuditActor.token(UUID(), name: "editor", role: .editor)

    /// A campaign on the webhook channel whose variants are pending (the workspace reviews hand-written ones).
    static func withPendingCampaign(
        _ body: (PublishDeliveryTests.Fixture, Campaign) async throws -> Void
    ) async throws {
        try await PublishDeliveryTests.withFixture { fixture in
            let reviews = ReviewStore(fixture.database, workspace: fixture.workspace)
            try await reviews.update(.init(approvalsRequired: 1, reviewHandWritten: true), actor: .cli(login: "ops"))
            var spec = try CampaignSpec(
                name: "Gated",
                channels: [.webhook],
                destination: "https://shop.example.com",
                variants: [.init(key: "A", text: "Trail season is here."), .init(key: "B", text: "Ready for your first ultra?")]
            )
            spec.slug = "gated"
            let campaign = try await CampaignStore(fixture.database, workspace: fixture.workspace).create(spec, author: Self.editor)
            #expect(campaign.variants.map(\.review) == [.pending, .pending])
            try await body(fixture, campaign)
        }
    }

    /// A publication of `variant` made by hand (not by a fire) and its publish job, queued by hand.
    static func publishByHand(
        _ fixture: PublishDeliveryTests.Fixture,
        _ campaign: Campaign,
        variant: VariantID,
        key: String
    ) async throws
        -> Publication
    {
        let publication = try await PublicationStore(fixture.database).create(
            workspace: fixture.workspace,
            campaign: campaign.id,
            PublicationStore.Draft(
                variant: variant,
                channel: .webhook,
                scheduledAt: Date(),
                idempotencyKey: key,
                text: "by hand",
                account: fixture.account
            )
        )
        try await fixture.queue.enqueue([
            JobRequest(payload: PublishPayload(publication: publication.id), runAt: Date(), workspace: fixture.workspace)
        ])
        return publication
    }

    @Test func pendingAndRejectedVariantsAreNeverPublishedEvenByAJobQueuedByHand() async throws {
        try await Self.withPendingCampaign { fixture, campaign in
            let a = campaign.variants[0].id
            let pending = try await Self.publishByHand(fixture, campaign, variant: a, key: "hand-1")
            let refusal = try await fixture.runOnce()
            #expect(refusal == nil, "\(String(describing: refusal))")
            var stored = try await fixture.publication(pending.id)
            #expect(stored.status == "failed")
            #expect(stored.failureClass == "not_approved")
            #expect(stored.error?.contains("pending review") == true)
            #expect(fixture.receiver.deliveries.isEmpty)

            try await ReviewStore(fixture.database, workspace: fixture.workspace)
                .decide(variant: a, decision: .reject, comment: "Name the trail.", actor: Self.approver)
            let rejected = try await Self.publishByHand(fixture, campaign, variant: a, key: "hand-2")
            #expect(try await fixture.runOnce() == nil)
            stored = try await fixture.publication(rejected.id)
            #expect(stored.status == "failed")
            #expect(stored.failureClass == "not_approved")
            #expect(stored.error?.contains("rejected review") == true)
            #expect(fixture.receiver.deliveries.isEmpty)

            // Retrying it while it is still rejected is refused, saying what to do.
            let early = await #expect(throws: ConflictError.self) {
                try await PublicationStore(fixture.database).retry(rejected.id, workspace: fixture.workspace)
            }
            #expect(early?.message.contains("approve it first") == true)
            // Approved, the refused publication goes out when retried.
            try await ReviewStore(fixture.database, workspace: fixture.workspace)
                .decide(variant: a, decision: .approve, comment: "Fixed in the brief", actor: Self.approver)
            try await PublicationStore(fixture.database).retry(rejected.id, workspace: fixture.workspace)
            #expect(try await fixture.runOnce() == nil)
            stored = try await fixture.publication(rejected.id)
            #expect(stored.status == "published")
            #expect(fixture.receiver.deliveries.count == 1)
        }
    }

    @Test func aFirePublishesOnlyApprovedVariantsAndAnEditBeforeSendingStopsIt() async throws {
        try await Self.withPendingCampaign { fixture, campaign in
            let fire = CampaignFire(database: fixture.database, publicURL: "https://h.example", logger: TestDatabase.logger)
            // Nothing approved: the fire publishes nothing.
            let none = try await fire.fire(
                try await CampaignStore(fixture.database, workspace: fixture.workspace).find(campaign.id),
                at: Date(),
                now: Date()
            )
            #expect(none.isEmpty)
            // A publication for people who post it themselves is refused too.
            await #expect(throws: ConflictError.self) {
                try await fire.publication(of: campaign.variants[0], in: campaign, on: .webhook, at: Date(), key: "manual-1")
            }

            let b = campaign.variants[1].id
            try await ReviewStore(fixture.database, workspace: fixture.workspace).decide(
                variant: b,
                decision: .approve,
                comment: nil,
                actor: Self.approver
            )
            let reloaded = try await CampaignStore(fixture.database, workspace: fixture.workspace).find(campaign.id)
            var published: [Publication] = []
            let start = Date()
            for minute in 0..<3 {
                published += try await fire.fire(reloaded, at: start.addingTimeInterval(Double(minute + 1) * 60), now: start)
            }
            #expect(published.count == 3)
            #expect(published.allSatisfy { $0.variant == b })

            // B is edited after the fire queued its job: the job refuses it.
            try await CampaignStore(fixture.database, workspace: fixture.workspace)
                .editVariant(b, of: campaign.id, text: "Ready for your first ultra? 20% off.", email: nil, editor: Self.editor)
            #expect(try await fixture.runOnce(now: Date()) == nil)
            let refused = try await PublicationStore(fixture.database).list(workspace: fixture.workspace, campaign: campaign.id)
                .filter { $0.status == "failed" }
            #expect(refused.count == 1)
            #expect(refused.first?.failureClass == "not_approved")
            #expect(fixture.receiver.deliveries.isEmpty)
        }
    }
}
