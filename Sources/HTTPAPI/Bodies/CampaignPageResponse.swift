import Hummingbird

/// `GET /v1/campaigns`: a page of campaigns, newest first, and the cursor of the next page (`null` after the last).
struct CampaignPageResponse: ResponseEncodable {
    var campaigns: [CampaignSummaryResponse]
    var nextCursor: String?

    enum CodingKeys: String, CodingKey {
        case campaigns
        case nextCursor = "next_cursor"
    }

    /// Writes `next_cursor` as `null` on the last page rather than leaving it out.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(campaigns, forKey: .campaigns)
        try container.encode(nextCursor, forKey: .nextCursor)
    }
}
