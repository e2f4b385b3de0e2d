import Foundation
import HeraldCore
import Storage

/// One campaign of a list, with its counts.
struct CampaignSummaryResponse: Encodable {
    var id: CampaignID
    var slug: String
    var name: String
    /// How many variants it tests.
    var variants: Int
    /// Impressions recorded so far.
    var impressions: Int
    var status: CampaignStatus
    var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, slug, name, variants, impressions, status
        case createdAt = "created_at"
    }

    init(_ summary: CampaignStore.Summary) {
        id = summary.id
        slug = summary.slug
        name = summary.name
        variants = summary.variants
        impressions = summary.impressions
        status = summary.status
        createdAt = summary.createdAt
    }
}
