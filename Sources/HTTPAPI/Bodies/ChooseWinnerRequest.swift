import HeraldCore

/// `POST /v1/campaigns/{campaign}/winner`: `{"variant": "B", "reason"?: "…"}` (the variant's key).
struct ChooseWinnerRequest: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case variant, reason
    }

    var variant: String
    var reason: String?

    init(from decoder: any Decoder) throws {
        let fields = try decoder.requestObject(keyedBy: CodingKeys.self)
        variant = try fields.requiredString(.variant)
        reason = fields.isNull(.reason) ? nil : try fields.string(.reason)
    }
}
