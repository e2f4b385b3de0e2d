import Foundation
import HeraldCore
import Logging
import Scheduling
import Storage

/// Sends one lifecycle event to one webhook (``NotifyPayload``): a POST of the event's JSON signed like the report
/// webhooks (`Herald-Signature: v1=…` over `"<Herald-Timestamp>.<body>"`, ``WebhookSignature``), with the event's id
/// as `Idempotency-Key` and `Herald-Delivery`, and its type as `Herald-Event`. A receiver that does not answer 2xx is
/// tried again with backoff (the worker's retry policy) until the job's attempts run out; the dead job stays in
/// `herald jobs list` with the last answer.
///
/// A webhook removed meanwhile drops the event. A secret variable the worker does not have fails the job at once,
/// saying which variable to set.
public struct NotifyHandler: JobHandler {
    let secrets: WebhookSecrets
    let sender: WebhookSender

    public init(secrets: WebhookSecrets = WebhookSecrets([:]), sender: WebhookSender = .init()) {
        self.secrets = secrets
        self.sender = sender
    }

    public func run(_ job: ClaimedJob, payload: NotifyPayload, context: JobContext) async throws {
        let webhook: LifecycleWebhook
        do {
            webhook = try await LifecycleWebhookStore(context.database, workspace: payload.workspace).find(payload.webhook)
        } catch is NotFoundError {
            context.logger.info(
                "lifecycle event dropped: its webhook was removed",
                metadata: ["herald.job.id": "\(job.id)", "herald.webhook.id": "\(payload.webhook.uuidString.lowercased())"]
            )
            return
        }
        let secret: String
        do {
            try WebhookSender.validate(url: webhook.url)
            guard let name = webhook.secretEnv else {
                throw ValidationError(field: "secret_env", reason: "the webhook has no secret the worker can read")
            }
            secret = try secrets.secret(named: name)
        } catch {
            throw PermanentJobError("job \(job.id) (notify): webhook \(webhook.id.uuidString.lowercased()): \(error)")
        }
        let eventID = payload.eventID.uuidString.lowercased()
        try await sender.post(
            url: webhook.url,
            body: payload.body,
            secret: secret,
            timestamp: Int(context.clock.now().timeIntervalSince1970),
            delivery: eventID,
            headers: [("Idempotency-Key", eventID), ("Herald-Event", payload.event.rawValue)],
            logger: context.logger
        )
    }
}
