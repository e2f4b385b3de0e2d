import HeraldCore

/// `PATCH /v1/campaigns/{campaign}`: `{"name"?, "destination"?: URL or null, "primary_metric"?}`; what is absent stays.
struct UpdateCampaignRequest: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, destination
        case primaryMetric = "primary_metric"
    }

    var name: String?
    /// `.none` leaves the destination as it is; `.some(nil)` (a `null`) removes it.
    var destination: String??
    var primaryMetric: Metric?

    init(from decoder: any Decoder) throws {
        let fields = try decoder.requestObject(keyedBy: CodingKeys.self)
        destination = fields.contains(.destination) ? .some(fields.isNull(.destination) ? nil : try fields.string(.destination)) : .none
        primaryMetric = try fields.string(.primaryMetric).map { text throws(ValidationError) in try Metric.parse(text) }
        name = try fields.string(.name)
    }
}
