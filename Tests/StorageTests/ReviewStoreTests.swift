import Foundation
import HeraldCore
import HeraldTestSupport
import PostgresNIO
import Testing

@testable import Storage

/// The review rules on the real database: who may decide, two-person approval, self-approval, edits back to pending,
/// and the audit log.
struct ReviewStoreTests {
    static let spec = try! CampaignSpec(
        name: "Review",
        channels: [.x],
        variants: [.init(key: "A", text: "Trail season is here."), .init(key: "B", text: "Ready for your first ultra?")]
    )

    static let writer = AuditActor.token(UUID(), name: "copywriter", role: .editor)
    static let ana = AuditActor.token(UUID(), name: "ana", role: .approver)
    static let ben = AuditActor.user(UUID(), name: "ben", role: .approver)
    static let editor = AuditActor.token(UUID(), name: "editor", role: .editor)
    static let viewer = AuditActor.token(UUID(), name: "viewer", role: .viewer)

    @Test func handWrittenVariantsAreApprovedUnlessTheWorkspaceReviewsThemAndGeneratedOnesArePending() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "acme")
            let campaigns = CampaignStore(database, workspace: workspace)
            let reviews = ReviewStore(database, workspace: workspace)
            let open = try await campaigns.create(Self.spec, author: Self.writer)
            #expect(open.variants.map(\.review) == [.approved, .approved])

            let generated = try await campaigns.insertGeneratedVariants(
                [.init(key: "G1", text: "Grip for wet rock.", featuresJSON: "{}", generator: "rules/en")],
                into: open.id
            )
            #expect(generated == 1)
            #expect(try await campaigns.find(open.id).variants.map(\.review) == [.approved, .approved, .pending])
            #expect(try await reviews.pending(campaign: open.id).map(\.key) == ["G1"])

            try await reviews.update(.init(approvalsRequired: 1, reviewHandWritten: true), actor: .cli(login: "ops"))
            var reviewed = Self.spec
            reviewed.slug = "reviewed"
            let closed = try await campaigns.create(reviewed, author: Self.writer)
            #expect(closed.variants.map(\.review) == [.pending, .pending])
            let added = try await campaigns.addVariant(to: open.id, key: nil, text: "Third", author: Self.writer)
            #expect(added.review == .pending)
            await #expect(throws: ForbiddenError.self) {
                try await reviews.update(.init(approvalsRequired: 2), actor: Self.ana)
            }
        }
    }

    @Test func onlyApproversDecideARejectionNeedsACommentAndNoOneApprovesTheirOwnVariant() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "acme")
            let reviews = ReviewStore(database, workspace: workspace)
            try await reviews.update(.init(approvalsRequired: 1, reviewHandWritten: true), actor: .cli(login: "ops"))
            let campaign = try await CampaignStore(database, workspace: workspace).create(Self.spec, author: Self.ana)
            let a = campaign.variants[0].id
            for actor in [Self.viewer, Self.editor] {
                await #expect(throws: ForbiddenError.self) {
                    try await reviews.decide(variant: a, decision: .approve, comment: nil, actor: actor)
                }
            }
            // Ana wrote it: she may not approve it.
            let own = await #expect(throws: ForbiddenError.self) {
                try await reviews.decide(variant: a, decision: .approve, comment: nil, actor: Self.ana)
            }
            #expect(own?.message.contains("someone else must approve it") == true)
            let bare = await #expect(throws: ValidationError.self) {
                try await reviews.decide(variant: a, decision: .reject, comment: "  ", actor: Self.ben)
            }
            #expect(bare?.field == "comment")
            #expect(try await reviews.review(of: a).state == .pending)

            let rejected = try await reviews.decide(variant: a, decision: .reject, comment: "Say which trail.", actor: Self.ben)
            #expect(rejected.state == .rejected)
            await #expect(throws: ConflictError.self) {
                try await reviews.decide(variant: a, decision: .reject, comment: "again", actor: Self.ben)
            }
            let approved = try await reviews.decide(variant: a, decision: .approve, comment: "Fine after all", actor: Self.ben)
            #expect(approved.state == .approved)
            #expect(approved.approvedBy == [Self.ben.reference])
            #expect(approved.decisions.map(\.decision) == [.reject, .approve])
            await #expect(throws: NotFoundError.self) {
                try await reviews.decide(variant: VariantID(UUID()), decision: .approve, comment: nil, actor: Self.ben)
            }
            // Another workspace's reviewer does not see it.
            let other = try await WorkspaceStore(database).ensure(slug: "other")
            await #expect(throws: NotFoundError.self) {
                try await ReviewStore(database, workspace: other).decide(variant: a, decision: .approve, comment: nil, actor: Self.ben)
            }

            let log = try await AuditLog(database, workspace: workspace).entries(subjectKind: "variant", subjectID: a.description)
            #expect(log.map(\.action) == ["variant.approve", "variant.reject"])
            #expect(log.map(\.actor) == [Self.ben.reference, Self.ben.reference])
            #expect(log.last?.details["comment"] == .string("Say which trail."))
            #expect(log.first?.details["review"] == .string("approved"))
            #expect(log.first?.actorName == "ben")
        }
    }

    @Test func twoPersonApprovalNeedsTwoDifferentPeople() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "acme")
            let reviews = ReviewStore(database, workspace: workspace)
            try await reviews.update(.init(approvalsRequired: 2, reviewHandWritten: true), actor: .cli(login: "ops"))
            let campaign = try await CampaignStore(database, workspace: workspace).create(Self.spec, author: Self.writer)
            let a = campaign.variants[0].id
            let first = try await reviews.decide(variant: a, decision: .approve, comment: nil, actor: Self.ana)
            #expect(first.state == .pending)
            #expect(first.approvedBy == [Self.ana.reference])
            #expect(try await reviews.pending(for: Self.ana).map(\.key) == ["B"])
            #expect(try await reviews.pending(for: Self.ben).map(\.key) == ["A", "B"])
            #expect(try await reviews.pending(for: Self.editor).isEmpty)
            let twice = await #expect(throws: ConflictError.self) {
                try await reviews.decide(variant: a, decision: .approve, comment: nil, actor: Self.ana)
            }
            #expect(twice?.message.contains("2 approvals by different people") == true)
            let second = try await reviews.decide(variant: a, decision: .approve, comment: "Good", actor: Self.ben)
            #expect(second.state == .approved)
            #expect(second.approvedBy == [Self.ana.reference, Self.ben.reference].sorted())
            #expect(try await AuditLog(database, workspace: workspace).entries(subjectKind: "variant").count == 2)
        }
    }

    @Test func editingAnApprovedVariantSendsItBackToPendingAndApprovalsStartOver() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "acme")
            let campaigns = CampaignStore(database, workspace: workspace)
            let reviews = ReviewStore(database, workspace: workspace)
            let campaign = try await campaigns.create(Self.spec, author: Self.writer)
            let a = campaign.variants[0].id
            #expect(try await reviews.review(of: a).state == .approved)

            let edited = try await campaigns.editVariant(a, of: campaign.id, text: "Trail season is here: 20% off.", email: nil, editor: Self.ana)
            #expect(edited.review == .pending)
            #expect(edited.text == "Trail season is here: 20% off.")
            var review = try await reviews.review(of: a)
            #expect(review.revision == 2)
            #expect(review.writtenBy == Self.ana.reference)
            // The editor wrote the new content: someone else approves it.
            await #expect(throws: ForbiddenError.self) {
                try await reviews.decide(variant: a, decision: .approve, comment: nil, actor: Self.ana)
            }
            review = try await reviews.decide(variant: a, decision: .approve, comment: nil, actor: Self.ben)
            #expect(review.state == .approved)
            #expect(review.decisions.map(\.revision) == [2])
            // An edit by any path (here straight SQL) sends it back too.
            try await database.client.execute("UPDATE variants SET text = 'Changed behind the API' WHERE id = \(a.uuid)", logger: database.logger)
            review = try await reviews.review(of: a)
            #expect(review.state == .pending)
            #expect(review.revision == 3)
            #expect(review.approvedBy.isEmpty)
            await #expect(throws: ForbiddenError.self) {
                try await campaigns.editVariant(a, of: campaign.id, text: "No", email: nil, editor: Self.viewer)
            }
            let log = try await AuditLog(database, workspace: workspace).entries(subjectKind: "variant", subjectID: a.description)
            #expect(log.map(\.action) == ["variant.approve", "variant.edit"])
            #expect(log.last?.details["from"] == .string("approved"))
        }
    }
}
