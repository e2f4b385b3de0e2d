import HeraldCore
import Jobs

/// `POST /v1/webhooks`: `{"url": "https://…", "secret_env": "HERALD_WEBHOOK_OPS", "events"?: ["publication.failed", …]}`
/// (events default to all of them). The secret stays in the workers' environment variable; only its name is stored.
struct CreateWebhookRequest: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case url, events
        case secretEnv = "secret_env"
    }

    var url: String
    var secretEnv: String
    var events: [LifecycleEventType]

    init(from decoder: any Decoder) throws {
        let fields = try decoder.requestObject(keyedBy: CodingKeys.self)
        url = try fields.requiredString(.url)
        try WebhookSender.validate(url: url)
        secretEnv = try fields.requiredString(.secretEnv)
        do {
            try WebhookSecrets.validate(name: secretEnv)
        } catch {
            throw ValidationError(field: "secret_env", reason: error.reason)
        }
        events =
            try fields.strings(.events).map { names throws(ValidationError) in try LifecycleEventType.parse(names, field: "events") }
            ?? LifecycleEventType.allCases
    }
}
