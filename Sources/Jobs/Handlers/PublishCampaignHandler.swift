import Foundation
import HeraldCore
import Storage

/// On a campaign's schedule fire (``PublishCampaignPayload``): creates a publication per variant and channel for
/// this fire and enqueues their `publish` jobs, both idempotent, so a repeated fire job adds nothing.
public struct PublishCampaignHandler: JobHandler {
    public init() {}

    public func run(_ job: ClaimedJob, payload: PublishCampaignPayload, context: JobContext) async throws {
        let campaign = try await payload.campaign(in: context)
        let workspace = payload.workspace
        let store = PublicationStore(context.database)
        var requests: [JobRequest] = []
        let fire = Timestamp.format(job.runAt)
        for variant in campaign.variants {
            for channel in campaign.channels {
                let publication = try await store.create(
                    workspace: workspace,
                    campaign: campaign.id,
                    variant: variant.id,
                    channel: channel,
                    scheduledAt: job.runAt,
                    idempotencyKey: "\(campaign.id):\(fire):\(variant.key):\(channel.rawValue)"
                )
                requests.append(
                    JobRequest(
                        payload: PublishPayload(publication: publication.id),
                        runAt: job.runAt,
                        uniqueKey: "publish:\(publication.idempotencyKey)",
                        workspace: workspace
                    )
                )
            }
        }
        try await JobQueue(context.database).enqueue(requests)
    }
}
