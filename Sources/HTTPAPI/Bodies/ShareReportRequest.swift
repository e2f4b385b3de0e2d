import HeraldCore

/// `POST /v1/reports/share`: `{"campaign"?: slug or id (else the workspace overview), "expires_in_hours"?: 1...720}`.
struct ShareReportRequest: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case campaign
        case expiresInHours = "expires_in_hours"
    }

    var campaign: String?
    var expiresInHours: Int

    /// How long a link lives when the request does not say.
    static let defaultHours = 72

    init(from decoder: any Decoder) throws {
        let fields = try decoder.requestObject(keyedBy: CodingKeys.self)
        expiresInHours = Self.defaultHours
        if fields.contains(.expiresInHours) {
            guard let hours = try? fields.decode(Int.self, forKey: .expiresInHours), (1...720).contains(hours) else {
                throw ValidationError(field: "expires_in_hours", reason: "must be a whole number of hours from 1 to 720")
            }
            expiresInHours = hours
        }
        campaign = try fields.string(.campaign)
    }
}
