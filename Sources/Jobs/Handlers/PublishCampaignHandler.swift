import Foundation
import HeraldCore
import Scheduling
import Storage

/// On a campaign's schedule fire (``PublishCampaignPayload``): the fire's publications, per channel the variants
/// written for it following the split, and their `publish` jobs (see ``CampaignFire``); a repeated fire adds nothing.
public struct PublishCampaignHandler: JobHandler {
    /// Where this service is reached, for the tracking links in posts.
    let publicURL: String

    public init(publicURL: String = CampaignFire.defaultPublicURL) {
        self.publicURL = publicURL
    }

    public func run(_ job: ClaimedJob, payload: PublishCampaignPayload, context: JobContext) async throws {
        let campaign = try await payload.campaign(in: context)
        try await CampaignFire(database: context.database, publicURL: publicURL, logger: context.logger)
            .fire(campaign, at: job.runAt, now: context.clock.now())
    }
}
