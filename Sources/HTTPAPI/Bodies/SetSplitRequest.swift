import HeraldCore

/// `PUT /v1/campaigns/{campaign}/split`: `{"weights": {"A": 0.7, "B": 0.3}}` (every variant, weights from 0 to 1), or
/// `{"weights": null}` for equal shares again.
struct SetSplitRequest: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case weights
    }

    var weights: [String: Double]?

    init(from decoder: any Decoder) throws {
        let fields = try decoder.requestObject(keyedBy: CodingKeys.self)
        guard fields.contains(.weights) else { throw ValidationError(field: "weights", reason: "is required (null: equal shares)") }
        if fields.isNull(.weights) {
            weights = nil
            return
        }
        do {
            weights = try fields.decode([String: Double].self, forKey: .weights)
        } catch {
            throw ValidationError(field: "weights", reason: "must be an object of variant key to a number from 0 to 1, or null")
        }
    }
}
