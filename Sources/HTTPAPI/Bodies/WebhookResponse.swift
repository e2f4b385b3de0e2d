import Foundation
import HeraldCore
import Hummingbird
import Storage

/// A lifecycle webhook as `GET /v1/webhooks` and `herald webhooks list --json` show it (never its secret):
/// `{"id", "url", "events", "secret_env", "created_at"}`.
public struct WebhookResponse: ResponseEncodable {
    /// The id in PostgreSQL's lowercase form.
    var id: String
    var url: String
    var events: [LifecycleEventType]
    /// The workers' environment variable holding the signing secret.
    var secretEnv: String?
    var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, url, events
        case secretEnv = "secret_env"
        case createdAt = "created_at"
    }

    public init(_ webhook: LifecycleWebhook) {
        id = webhook.id.uuidString.lowercased()
        url = webhook.url
        events = webhook.events
        secretEnv = webhook.secretEnv
        createdAt = webhook.createdAt
    }
}

/// `GET /v1/webhooks`.
struct WebhooksResponse: ResponseEncodable {
    var webhooks: [WebhookResponse]
}
