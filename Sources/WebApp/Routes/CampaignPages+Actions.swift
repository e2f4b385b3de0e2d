import Foundation
import HTTPTypes
import HeraldCore
import Hummingbird
import Jobs
import Logging
import NIOCore
import Reports
import Storage

/// The campaign page's other buttons and its report, each through the store call the CLI and the API use:
/// - `POST /app/publications/{publication}/retry` (editor or above): ``PublicationStore/retry(_:workspace:now:)``, as
///   `herald publications retry ID` and `POST /v1/publications/{id}/retry`; a refusal (not failed, variant not
///   approved, campaign paused...) is shown on the page.
/// - `POST /app/autopilot/{action}/apply|dismiss|undo` (editor or above, as the API's writes): `AutopilotRunner.apply`,
///   ``AutopilotStore/dismiss(_:by:at:)``, ``AutopilotStore/undo(_:by:at:)``, recorded as decided by `user:<email>`.
/// - `GET /app/campaigns/{campaign}/report`: the latest report, as `/reports/{campaign}` renders it for a token.
extension CampaignPages {
    func addActions(to group: RouterGroup<Context>) {
        group.post("publications/:publication/retry") { request, context in try await retry(request, context: context) }
        group.post("autopilot/:action/:verb") { request, context in try await decideAutopilot(request, context: context) }
        group.get("campaigns/:campaign/report") { request, context in try await report(request, context: context) }
    }

    func retry(_ request: Request, context: Context) async throws -> Response {
        let session = try await app.requireSession(request, context: context, role: .editor)
        let text = try context.parameters.require("publication")
        guard let id = UUID(uuidString: text) else { throw WebError.notFound("There is no publication \"\(text)\" in your workspace.") }
        let store = PublicationStore(app.database)
        let listed = try await store.listed(id, workspace: session.user.workspace)
        do {
            try await store.retry(id, workspace: session.user.workspace)
        } catch let refusal as ConflictError {
            return try await show(
                request,
                context: context,
                reference: listed.campaignSlug,
                problem: .init(.publications, message: "Not sent again: \(refusal.message).")
            )
        }
        context.logger.info(
            "publication retried from the back office",
            metadata: ["herald.user.id": "\(session.user.id)", "herald.publication.id": "\(id)"]
        )
        return PageRenderer.redirect(to: "/app/campaigns/\(listed.campaignSlug)")
    }

    func decideAutopilot(_ request: Request, context: Context) async throws -> Response {
        let session = try await app.requireSession(request, context: context, role: .editor)
        let text = try context.parameters.require("action")
        let verb = try context.parameters.require("verb")
        guard let id = UUID(uuidString: text) else { throw WebError.notFound("There is no autopilot action \"\(text)\" in your workspace.") }
        guard ["apply", "dismiss", "undo"].contains(verb) else {
            throw WebError.notFound("An autopilot action can be applied, dismissed or undone; not \"\(verb)\".")
        }
        let workspace = session.user.workspace
        let store = AutopilotStore(app.database, workspace: workspace)
        let action = try await store.action(id)
        let campaign = try await CampaignStore(app.database, workspace: workspace).find(action.campaign)
        let actor = AuditActor.user(session.user.id, name: session.user.email, role: session.user.role)
        do {
            switch verb {
            case "apply": _ = try await AutopilotRunner.apply(action, store: store, campaign: campaign, by: actor, at: Date())
            case "dismiss": _ = try await store.dismiss(action.id, by: actor, at: Date())
            default: _ = try await AutopilotRunner.undo(action, store: store, by: actor, at: Date())
            }
        } catch let refusal as ConflictError {
            return try await show(
                request,
                context: context,
                reference: campaign.slug,
                problem: .init(.autopilot, message: "Not done: \(refusal.message).")
            )
        }
        context.logger.info(
            "autopilot action decided from the back office",
            metadata: ["herald.autopilot.action": "\(id)", "herald.autopilot.verb": "\(verb)", "herald.actor": "\(actor)"]
        )
        return PageRenderer.redirect(to: "/app/campaigns/\(campaign.slug)")
    }

    func report(_ request: Request, context: Context) async throws -> Response {
        let session = try await app.requireSession(request, context: context)
        let workspace = session.user.workspace
        let campaign = try await CampaignStore(app.database, workspace: workspace).find(try context.parameters.require("campaign"))
        guard let json = try await AnalysisStore(app.database, workspace: workspace).latestReport(campaign: campaign.id)?.reportJSON else {
            throw WebError.notFound("Campaign \(campaign.slug) has no report yet: one is written with its first analysis.")
        }
        let html = HTMLRenderer.render(try JSONRenderer.decode(json))
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        // The report is one self-contained page: its styles are inline, and it runs no script and loads nothing.
        headers[WebMiddleware<Context>.policyField] =
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}
