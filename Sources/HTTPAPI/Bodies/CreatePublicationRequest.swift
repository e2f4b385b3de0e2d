import Foundation

/// `POST /v1/campaigns/{campaign}/publications`: `{"variant": key or id, "channel", "scheduled_at"?, "idempotency_key"?}`.
struct CreatePublicationRequest: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case variant, channel
        case scheduledAt = "scheduled_at"
        case idempotencyKey = "idempotency_key"
    }

    /// The variant's key or id.
    var variant: String
    /// The channel's name; it must be one of the campaign's.
    var channel: String
    var scheduledAt: Date?
    /// A repeated key answers the publication made the first time.
    var idempotencyKey: String?

    init(from decoder: any Decoder) throws {
        let fields = try decoder.requestObject(keyedBy: CodingKeys.self)
        variant = try fields.requiredString(.variant)
        channel = try fields.requiredString(.channel)
        idempotencyKey = try fields.string(.idempotencyKey)
        scheduledAt = try fields.timestamp(.scheduledAt)
    }
}
