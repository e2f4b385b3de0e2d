import Foundation

/// `POST /v1/campaigns/{campaign}/schedules`: `{"rule": "0 9 * * MON-FRI" | "every:1h" | "once:2026-12-01T09:00:00Z",
/// "tz"?, "name"?, "active_from"?, "active_until"?, "missed"?: "fire_once" | "skip"}`.
struct CreateScheduleRequest: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case rule, tz, name, missed
        case activeFrom = "active_from"
        case activeUntil = "active_until"
    }

    var rule: String
    /// The IANA time zone the rule is read in (default UTC).
    var timeZone: String?
    var name: String?
    /// What to do about fires missed while nothing ran: `fire_once` (the default) or `skip`.
    var missed: String?
    var activeFrom: Date?
    var activeUntil: Date?

    init(from decoder: any Decoder) throws {
        let fields = try decoder.requestObject(keyedBy: CodingKeys.self)
        rule = try fields.requiredString(.rule)
        timeZone = try fields.string(.tz)
        missed = try fields.string(.missed)
        activeFrom = try fields.timestamp(.activeFrom)
        activeUntil = try fields.timestamp(.activeUntil)
        name = try fields.string(.name)
    }
}
