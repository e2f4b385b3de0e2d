import Foundation
import HeraldCore
import Hummingbird
import Storage

/// `/v1/variants/{variant}/approval` and `/v1/reviews`: review and approval of variants, as the token (approver or admin
/// to decide; see ``ReviewStore`` for the rules).
struct ReviewRoutes {
    let database: Database

    func add(to group: RouterGroup<APIContext>) {
        group.get("variants/{variant}/approval", use: show)
        group.post("variants/{variant}/approval", use: decide)
        group.get("reviews", use: pending)
    }

    func store(_ context: APIContext) throws -> ReviewStore {
        ReviewStore(database, workspace: try context.requirePrincipal().workspace)
    }

    func variant(_ context: APIContext) throws -> VariantID {
        let text = try context.parameters.require("variant")
        guard let id = VariantID(text) else { throw NotFoundError(kind: "variant", id: text) }
        return id
    }

    /// `GET /v1/variants/{variant}/approval`: the variant's review and its decisions.
    @Sendable func show(_ request: Request, context: APIContext) async throws -> VariantReviewResponse {
        VariantReviewResponse(try await store(context).review(of: try variant(context)))
    }

    /// `POST /v1/variants/{variant}/approval`: approves or rejects; answers the variant's review (403 for a role that may
    /// not decide or for approving one's own variant, 409 when the decision changes nothing).
    @Sendable func decide(_ request: Request, context: APIContext) async throws -> VariantReviewResponse {
        let body = try await request.decode(as: ApprovalRequest.self, context: context)
        let review = try await store(context).decide(
            variant: try variant(context),
            decision: body.decision,
            comment: body.comment,
            actor: try context.requirePrincipal().actor
        )
        return VariantReviewResponse(review)
    }

    /// `GET /v1/reviews[?campaign=ID|SLUG][&mine=true]`: the pending variants (with `mine`, those this token may decide).
    @Sendable func pending(_ request: Request, context: APIContext) async throws -> VariantReviewsResponse {
        let principal = try context.requirePrincipal()
        var campaign: CampaignID?
        if let reference = request.uri.queryParameters["campaign"] {
            campaign = try await CampaignStore(database, workspace: principal.workspace).find(String(reference)).id
        }
        let store = try store(context)
        let reviews =
            request.uri.queryParameters["mine"] == "true"
            ? try await store.pending(for: principal.actor, campaign: campaign) : try await store.pending(campaign: campaign)
        return VariantReviewsResponse(variants: reviews.map(VariantReviewResponse.init))
    }
}
