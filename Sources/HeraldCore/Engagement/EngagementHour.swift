/// How often a person engaged (opened or clicked) in one local hour of the week: what the send time per contact is
/// learnt from.
public struct EngagementHour: Sendable, Hashable, Codable {
    /// The hour of the week in the person's time zone: 0 = Monday 00:00 … 167 = Sunday 23:00.
    public var hourOfWeek: Int
    /// Engagements in that hour (over all weeks).
    public var count: Int

    public init(hourOfWeek: Int, count: Int) {
        self.hourOfWeek = hourOfWeek
        self.count = count
    }

    /// The hour of the day (0–23).
    public var hourOfDay: Int { hourOfWeek % 24 }

    enum CodingKeys: String, CodingKey {
        case count
        case hourOfWeek = "hour_of_week"
    }
}
