import Foundation
import HeraldCore
import HeraldTestSupport
import NIOHTTP1
import Testing

@testable import Storage

/// `POST /v1/variants/{variant}/approval` and the review state in `campaigns show`, over a real server on loopback.
@Suite struct ReviewAPITests {
    static func variants(_ campaign: [String: Any]) -> [[String: Any]] { campaign["variants"] as? [[String: Any]] ?? [] }

    @Test func onlyApproversDecideAndEveryDecisionIsAnsweredAndAudited() async throws {
        try await TestServer.live { server in
            let editor = try await server.token(workspace: "acme", role: .editor)
            let viewer = try await server.token(workspace: "acme", role: .viewer)
            let approver = try await server.token(workspace: "acme", role: .approver)
            let workspace = try await WorkspaceStore(server.database).ensure(slug: "acme")
            // Hand-written by an editor where the workspace does not review those: approved at creation.
            let open = try await server.createCampaign(token: editor, slug: "open")
            #expect(Self.variants(open).map { $0["review"] as? String } == ["approved", "approved"])

            try await ReviewStore(server.database, workspace: workspace).update(.init(reviewHandWritten: true), actor: .cli(login: "ops"))
            let campaign = try await server.createCampaign(token: editor, slug: "gated")
            #expect(Self.variants(campaign).map { $0["review"] as? String } == ["pending", "pending"])
            let a = try #require(Self.variants(campaign).first?["id"] as? String)
            let path = "/v1/variants/\(a)/approval"

            let byViewer = try await server.send(.POST, path, token: viewer, json: #"{"decision": "approve"}"#)
            #expect(byViewer.status == 403)
            let byEditor = try await server.send(.POST, path, token: editor, json: #"{"decision": "approve"}"#)
            #expect(byEditor.status == 403)
            #expect(try byEditor.error().code == "forbidden")
            #expect(try byEditor.error().message.contains("only an approver or an admin"))
            let bare = try await server.send(.POST, path, token: approver, json: #"{"decision": "reject"}"#)
            #expect(bare.status == 422)
            #expect(try bare.error().fields == ["comment"])
            let odd = try await server.send(.POST, path, token: approver, json: #"{"decision": "maybe"}"#)
            #expect(odd.status == 422)
            #expect(try odd.error().fields == ["decision"])
            let unknown = try await server.send(
                .POST,
                "/v1/variants/\(UUID().uuidString)/approval",
                token: approver,
                json: #"{"decision": "approve"}"#
            )
            #expect(unknown.status == 404)

            let rejected = try await server.send(.POST, path, token: approver, json: #"{"decision": "reject", "comment": "Name the trail."}"#)
            #expect(rejected.status == 200, "\(rejected.text)")
            #expect(try rejected.json()["review"] as? String == "rejected")
            let approved = try await server.send(.POST, path, token: approver, json: #"{"decision": "approve", "comment": "Better now"}"#)
            #expect(approved.status == 200)
            let body = try approved.json()
            #expect(body["review"] as? String == "approved")
            #expect((body["decisions"] as? [[String: Any]])?.map { $0["decision"] as? String } == ["reject", "approve"])
            let again = try await server.send(.POST, path, token: approver, json: #"{"decision": "approve"}"#)
            #expect(again.status == 409)

            let shown = try await server.send(.GET, "/v1/campaigns/gated", token: viewer).json()
            #expect(Self.variants(shown).map { $0["review"] as? String } == ["approved", "pending"])
            let queue = try await server.send(.GET, "/v1/reviews?campaign=gated", token: viewer).json()
            #expect((queue["variants"] as? [[String: Any]])?.map { $0["key"] as? String } == ["B"])

            let log = try await AuditLog(server.database, workspace: workspace).entries(subjectKind: "variant", subjectID: a)
            #expect(log.map(\.action) == ["variant.approve", "variant.reject"])
            #expect(log.allSatisfy { $0.actor.hasPrefix("token:") })
        }
    }

    @Test func twoPeopleApproveNoOneApprovesTheirOwnAndAnEditGoesBackToReview() async throws {
        try await TestServer.live { server in
            let ana = try await server.token(workspace: "acme", role: .approver)
            let ben = try await server.token(workspace: "acme", role: .admin)
            let workspace = try await WorkspaceStore(server.database).ensure(slug: "acme")
            try await ReviewStore(server.database, workspace: workspace)
                .update(.init(approvalsRequired: 2, reviewHandWritten: true), actor: .cli(login: "ops"))
            // Ana writes the campaign: she may not approve its variants.
            let campaign = try await server.createCampaign(token: ana, slug: "pair")
            let a = try #require(Self.variants(campaign).first?["id"] as? String)
            let path = "/v1/variants/\(a)/approval"
            let own = try await server.send(.POST, path, token: ana, json: #"{"decision": "approve"}"#)
            #expect(own.status == 403)
            #expect(try own.error().message.contains("someone else must approve it"))

            let first = try await server.send(.POST, path, token: ben, json: #"{"decision": "approve"}"#)
            #expect(try first.json()["review"] as? String == "pending")
            let twice = try await server.send(.POST, path, token: ben, json: #"{"decision": "approve"}"#)
            #expect(twice.status == 409)
            // Ben edits the other variant; then Ana may approve it, and a second person must too.
            let edited = try await server.send(
                .PATCH,
                "/v1/campaigns/pair/variants/B",
                token: ben,
                json: #"{"text": "Ready for your first ultra? Go."}"#
            )
            #expect(edited.status == 200, "\(edited.text)")
            #expect(try edited.json()["review"] as? String == "pending")
            let b = try #require(Self.variants(campaign).last?["id"] as? String)
            let byEditorOfB = try await server.send(.POST, "/v1/variants/\(b)/approval", token: ben, json: #"{"decision": "approve"}"#)
            #expect(byEditorOfB.status == 403)

            // A second approver completes A.
            let carl = try await server.token(workspace: "acme", role: .approver)
            let second = try await server.send(.POST, path, token: carl, json: #"{"decision": "approve"}"#)
            let answer = try second.json()
            #expect(answer["review"] as? String == "approved")
            #expect((answer["approved_by"] as? [String])?.count == 2)

            // Editing an approved variant sends it back to pending.
            let reedited = try await server.send(.PATCH, "/v1/campaigns/pair/variants/A", token: ben, json: #"{"text": "Trail season: 20% off."}"#)
            #expect(try reedited.json()["review"] as? String == "pending")
            let review = try await server.send(.GET, path, token: ana).json()
            #expect(review["review"] as? String == "pending")
            #expect(review["revision"] as? Int == 2)
        }
    }
}
