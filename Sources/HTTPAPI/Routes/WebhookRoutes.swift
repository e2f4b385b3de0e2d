import Foundation
import HTTPTypes
import HeraldCore
import Hummingbird
import Storage

/// The workspace's lifecycle webhooks: `GET|POST /v1/webhooks`, `DELETE /v1/webhooks/{webhook}`.
struct WebhookRoutes {
    let database: Database

    func add(to group: RouterGroup<APIContext>) {
        group.get("webhooks", use: list)
        group.post("webhooks", use: create)
        group.delete("webhooks/{webhook}", use: delete)
    }

    @Sendable func list(_ request: Request, context: APIContext) async throws -> WebhooksResponse {
        let workspace = try context.requirePrincipal().workspace
        return WebhooksResponse(webhooks: try await LifecycleWebhookStore(database, workspace: workspace).list().map(WebhookResponse.init))
    }

    /// Body: ``CreateWebhookRequest``.
    @Sendable func create(_ request: Request, context: APIContext) async throws -> EditedResponse<WebhookResponse> {
        let body = try await request.decode(as: CreateWebhookRequest.self, context: context)
        let workspace = try context.requirePrincipal().workspace
        let webhook = try await LifecycleWebhookStore(database, workspace: workspace).add(
            url: body.url,
            events: body.events,
            secretEnv: body.secretEnv
        )
        return EditedResponse(status: .created, response: WebhookResponse(webhook))
    }

    @Sendable func delete(_ request: Request, context: APIContext) async throws -> HTTPResponse.Status {
        let workspace = try context.requirePrincipal().workspace
        let text = try context.parameters.require("webhook")
        guard let id = UUIDText.parse(text.lowercased()) else { throw NotFoundError(kind: "webhook", id: text) }
        try await LifecycleWebhookStore(database, workspace: workspace).remove(id)
        return .noContent
    }
}
