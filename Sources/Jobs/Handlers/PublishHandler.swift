import Channels
import Foundation
import HeraldCore
import Logging
import Scheduling
import Storage

/// Publishes one publication (``PublishPayload``), at least once but never twice: delivery goes through the outbox
/// keyed by the publication's idempotency key, so a retried or rescued job only counts an attempt. A publication
/// whose campaign was paused, ended or archived meanwhile is cancelled instead.
public struct PublishHandler: JobHandler {
    /// Fault injection: a pause between delivering and recording the delivery (crash tests).
    let pauseAfterDelivery: Duration?
    /// Where this service is reached, for an email's open pixel.
    let publicURL: String

    public init(pauseAfterDelivery: Duration? = nil, publicURL: String = CampaignFire.defaultPublicURL) {
        self.pauseAfterDelivery = pauseAfterDelivery
        self.publicURL = publicURL
    }

    public func run(_ job: ClaimedJob, payload: PublishPayload, context: JobContext) async throws {
        let store = PublicationStore(context.database)
        let publication: Publication
        do {
            publication = try await store.find(payload.publication)
        } catch let error as NotFoundError {
            throw PermanentJobError("\(error)")
        }
        guard publication.status == "scheduled" || publication.status == "sending" else { return }
        guard try await store.claim(publication.id) else {
            // Its campaign was paused, ended or archived before it went out.
            let campaign = try await CampaignStore(context.database, workspace: publication.workspace).find(publication.campaign)
            try await store.cancel(publication.id, reason: "campaign \(campaign.status.rawValue)")
            context.logger.info(
                "publication cancelled: its campaign does not publish",
                metadata: ["herald.publication.id": "\(publication.id)", "herald.campaign.status": "\(campaign.status.rawValue)"]
            )
            return
        }
        let first: Bool
        do {
            first = try await store.deliverToOutbox(publication, body: Self.body(of: publication, publicURL: publicURL))
        } catch {
            // Never silent: the last attempt leaves the publication failed, with the reason.
            if error is PermanentJobError || job.attempt >= job.maxAttempts {
                try await store.markFailed(publication.id, error: StorageError.describe(error))
            }
            throw error
        }
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

    /// What the outbox receives: the post's text; for email the subject, then the HTML part with the open pixel.
    static func body(of publication: Publication, publicURL: String) -> String {
        guard publication.channel == HeraldCore.Channel.email.rawValue else { return publication.text }
        let html = PostRenderer.emailHTML(
            text: publication.text,
            preheader: publication.preheader ?? "",
            pixel: TrackingLink.pixelURL(base: publicURL, code: publication.trackingCode)
        )
        return "Subject: \(publication.subject ?? "")\n\n\(html)"
    }
}
