import Foundation
import HeraldCore
import Hummingbird

/// A campaign with its variants, as `campaigns show --json` prints it.
struct CampaignResponse: ResponseEncodable {
    /// When the campaign publishes.
    struct Schedule: Encodable {
        var cron: String
        var tz: String
        var until: Date?
        var count: Int?
    }

    var id: CampaignID
    var workspaceID: WorkspaceID
    var slug: String
    var name: String
    var primaryMetric: Metric
    var channels: [HeraldCore.Channel]
    var destination: String?
    var schedule: Schedule?
    var variants: [VariantResponse]
    var status: CampaignStatus
    var createdAt: Date
    /// A rehearsal: nothing it publishes is posted.
    var dryRun: Bool
    /// Who an email or SMS campaign sends to (absent for a campaign that only posts).
    var audience: CampaignAudience?
    /// The planned test (absent: analyses use always-valid tests).
    var design: CampaignDesign?

    enum CodingKeys: String, CodingKey {
        case id, slug, name, channels, destination, schedule, variants, status, audience, design
        case dryRun = "dry_run"
        case workspaceID = "workspace_id"
        case primaryMetric = "primary_metric"
        case createdAt = "created_at"
    }

    init(_ campaign: Campaign) {
        id = campaign.id
        workspaceID = campaign.workspaceID
        slug = campaign.slug
        name = campaign.name
        primaryMetric = campaign.primaryMetric
        channels = campaign.channels
        destination = campaign.destination
        schedule = campaign.schedule.map { Schedule(cron: $0.cron, tz: $0.tz, until: $0.until, count: $0.count) }
        variants = campaign.variants.map(VariantResponse.init)
        status = campaign.status
        createdAt = campaign.createdAt
        dryRun = campaign.dryRun
        audience = campaign.audience
        design = campaign.design
    }
}
