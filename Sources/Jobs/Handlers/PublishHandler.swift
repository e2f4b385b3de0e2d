import Foundation
import HeraldCore
import Logging
import Scheduling
import Storage

/// Publishes one publication (``PublishPayload``), at least once but never twice: delivery goes through the outbox
/// keyed by the publication's idempotency key, so a retried or rescued job only counts an attempt.
public struct PublishHandler: JobHandler {
    /// Fault injection: a pause between delivering and recording the delivery (crash tests).
    let pauseAfterDelivery: Duration?

    public init(pauseAfterDelivery: Duration? = nil) {
        self.pauseAfterDelivery = pauseAfterDelivery
    }

    public func run(_ job: ClaimedJob, payload: PublishPayload, context: JobContext) async throws {
        let store = PublicationStore(context.database)
        let publication: Publication
        do {
            publication = try await store.find(payload.publication)
        } catch let error as NotFoundError {
            throw PermanentJobError("\(error)")
        }
        guard publication.status != "published" else { return }
        let first = try await store.deliverToOutbox(publication, body: publication.text)
        context.logger.info(
            "delivered publication",
            metadata: [
                "herald.publication.id": "\(publication.id)", "herald.publication.channel": "\(publication.channel)",
                "herald.delivery.first": "\(first)", "herald.job.id": "\(job.id)",
            ]
        )
        if let pauseAfterDelivery { try await Task.sleep(for: pauseAfterDelivery) }
        try await store.markPublished(publication.id, at: context.clock.now())
    }
}
