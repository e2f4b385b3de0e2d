import Foundation
import HTTPTypes
import HeraldCore
import Hummingbird
import Logging
import Storage

/// The review queue and the decisions on variants:
/// - `GET /app/review`: everything waiting for this person: the pending variants they may decide (not their own, not
///   approved by them already; under the two-person rule, those waiting for a second approval). An editor or viewer
///   sees the workspace's pending variants read-only.
/// - `POST /app/variants/{variant}/decision` (approver or admin): `decision` approve or reject, `comment` (a rejection
///   needs one), `from` `review` or `campaign` (where to go back to). The rules are ``ReviewStore``'s, as for
///   `herald variants approve|reject` and `POST /v1/variants/{id}/approval`.
struct ReviewPages<Context: RequestContext & RemoteAddressRequestContext> {
    let app: WebApp<Context>

    func add(to group: RouterGroup<Context>) {
        group.get("review") { request, context in try await queue(request, context: context) }
        group.post("variants/:variant/decision") { request, context in try await decide(request, context: context) }
    }

    struct QueueModel {
        var cards: [VariantCard]
        var hasCards: Bool
        /// Whether this person may decide (an approver or admin); others see the queue read-only.
        var decides: Bool
        var role: String
        var approvalsRequired: Int
        var twoPeople: Bool
    }

    /// The queue; `problem` is the refusal of a decision on one variant, shown beside it with what was typed.
    func queue(
        _ request: Request,
        context: Context,
        problem: (variant: VariantID, message: String, comment: String)? = nil
    ) async throws -> Response {
        let session = try await app.requireSession(request, context: context)
        let workspace = session.user.workspace
        let reviews = ReviewStore(app.database, workspace: workspace)
        let actor = app.actor(session)
        let waiting = session.user.role.reviews ? try await reviews.pending(for: actor) : try await reviews.pending()
        var cards = try await app.variantCards(for: waiting, session: session, from: "review")
        if let problem, let index = cards.firstIndex(where: { $0.id == problem.variant.description }) {
            cards[index].problem = problem.message
            cards[index].comment = problem.comment
        }
        let settings = try await reviews.settings()
        let model = QueueModel(
            cards: cards,
            hasCards: !cards.isEmpty,
            decides: session.user.role.reviews,
            role: session.user.role.rawValue,
            approvalsRequired: settings.approvalsRequired,
            twoPeople: settings.approvalsRequired > 1
        )
        var person = try await app.person(session)
        person.atReview = true
        return app.pages.page("review", model, title: "Review", person: person, status: problem == nil ? .ok : .unprocessableContent)
    }

    struct DecisionForm: Decodable {
        var decision: String?
        var comment: String?
        var from: String?
    }

    func decide(_ request: Request, context: Context) async throws -> Response {
        let session = try await app.requireSession(request, context: context, role: .approver)
        let text = try context.parameters.require("variant")
        guard let variant = VariantID(text) else { throw WebError.notFound("There is no variant \"\(text)\" in your workspace.") }
        let form = try await app.form(DecisionForm.self, of: request)
        let store = ReviewStore(app.database, workspace: session.user.workspace)
        let review = try await store.review(of: variant)
        let back = form.from == "campaign" ? "/app/campaigns/\(review.campaignSlug)" : "/app/review"
        do {
            let decision = try ReviewStore.Decision(parsing: form.decision ?? "", field: "decision")
            try await store.decide(variant: variant, decision: decision, comment: form.comment, actor: app.actor(session))
            context.logger.info(
                "variant decided in the back office",
                metadata: [
                    "herald.user.id": "\(session.user.id)", "herald.variant.id": "\(variant)", "herald.review.decision": "\(decision.rawValue)",
                ]
            )
        } catch let error as HeraldCore.ValidationError {
            let message = "\(Self.label(error.field)): \(error.reason)."
            if form.from == "campaign" {
                return try await CampaignPages(app: app).show(
                    request,
                    context: context,
                    reference: review.campaignSlug,
                    problem: .init(variant: variant, message: message, comment: form.comment ?? "")
                )
            }
            return try await queue(request, context: context, problem: (variant, message, form.comment ?? ""))
        }
        return PageRenderer.redirect(to: back)
    }

    /// The form's name for a field of a refusal.
    static func label(_ field: String) -> String {
        switch field {
        case "comment": "Comment"
        case "decision": "Decision"
        default: field
        }
    }
}

extension WebApp {
    /// The signed-in person as the audit log and the review rules know them.
    func actor(_ session: WebSession) -> AuditActor {
        .user(session.user.id, name: session.user.email, role: session.user.role)
    }

    /// The page header's person, with how many variants wait for their decision (for the Review entry of the nav).
    func person(_ session: WebSession, atCampaigns: Bool = false) async throws -> PageRenderer.Person {
        var person = PageRenderer.Person(session, atCampaigns: atCampaigns)
        if session.user.role.reviews {
            person.waiting = try await ReviewStore(database, workspace: session.user.workspace).pending(for: actor(session)).count
            person.hasWaiting = person.waiting > 0
        }
        return person
    }

    /// Cards of the reviewed variants, with their campaigns' variants, provenance and briefs read once per campaign.
    func variantCards(for reviews: [ReviewStore.Review], session: WebSession, from: String) async throws -> [VariantCard] {
        let workspace = session.user.workspace
        let campaigns = CampaignStore(database, workspace: workspace)
        let names = VariantCard.Names(try await UserStore(database).list(workspace: workspace))
        var loaded: [CampaignID: (Campaign, [VariantID: CampaignStore.Provenance], String?)] = [:]
        var cards: [VariantCard] = []
        for review in reviews {
            if loaded[review.campaign] == nil {
                let campaign = try await campaigns.find(review.campaign)
                let provenance = try await campaigns.provenance(of: campaign.id)
                loaded[review.campaign] = (
                    campaign, Dictionary(provenance.map { ($0.variant, $0) }, uniquingKeysWith: { first, _ in first }),
                    try await campaigns.brief(of: campaign.id)
                )
            }
            guard let entry = loaded[review.campaign], let variant = entry.0.variants.first(where: { $0.id == review.variant }) else { continue }
            let (campaign, provenance, brief) = entry
            cards.append(
                VariantCard(
                    variant: variant,
                    campaign: campaign,
                    review: review,
                    provenance: provenance[review.variant],
                    brief: brief,
                    names: names,
                    session: session,
                    from: from
                )
            )
        }
        return cards
    }
}
