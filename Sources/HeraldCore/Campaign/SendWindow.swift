// MERGE: h-send parses the campaign file's `audience.send_window`; this is the type its fan-out hands to
// `ContactSendTime.plan(history:timeZone:window:campaignTime:)`.
/// The local times of day a campaign may reach a contact, in the contact's own time zone:
/// `{"start": "09:00", "end": "18:00"}`. A window whose end is not after its start runs over midnight
/// (`22:00`–`06:00`).
public struct SendWindow: Sendable, Hashable, Codable {
    /// Minutes after local midnight at which the window opens (0–1439).
    public let start: Int
    /// Minutes after local midnight at which it closes (0–1440; 1440 is the end of the day).
    public let end: Int

    /// - Precondition: `start` in 0..<1440 and `end` in 0...1440, not both the same.
    public init(start: Int, end: Int) {
        precondition((0..<1_440).contains(start) && (0...1_440).contains(end) && start != end, "invalid send window \(start)-\(end)")
        self.start = start
        self.end = end
    }

    /// Reads `HH:MM` times (`"09:00"`, `"18:30"`, `"24:00"` for the end of the day).
    ///
    /// - Throws: ``ValidationError`` on `field.start` or `field.end` for a time that is not `HH:MM`, or on `field` when
    ///   both are the same.
    public init(start: String, end: String, field: String = "send_window") throws(ValidationError) {
        let opening = try Self.minutes(start, field: "\(field).start", allowEndOfDay: false)
        let closing = try Self.minutes(end, field: "\(field).end", allowEndOfDay: true)
        guard opening != closing else {
            throw ValidationError(field: field, reason: "start and end are the same time (\(start)); give a window of at least a minute")
        }
        self.init(start: opening, end: closing)
    }

    /// Whether a contact may be reached at `minute` after local midnight.
    public func contains(minute: Int) -> Bool {
        end > start ? (start..<end).contains(minute) : minute >= start || minute < end
    }

    /// The whole local hours (0–23) whose start lies inside the window, in the order of the day: `9...17` for 09:00–18:00.
    public var hours: [Int] { (0..<24).filter { contains(minute: $0 * 60) } }

    /// `09:00–18:00`.
    public var text: String { "\(Self.format(start))–\(Self.format(end))" }

    enum CodingKeys: String, CodingKey { case start, end }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(start: try container.decode(String.self, forKey: .start), end: try container.decode(String.self, forKey: .end))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.format(start), forKey: .start)
        try container.encode(Self.format(end), forKey: .end)
    }

    static func format(_ minutes: Int) -> String {
        let hours = minutes / 60
        let rest = minutes % 60
        return (hours < 10 ? "0" : "") + "\(hours):" + (rest < 10 ? "0" : "") + "\(rest)"
    }

    static func minutes(_ text: String, field: String, allowEndOfDay: Bool) throws(ValidationError) -> Int {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) }),
            let hours = Int(parts[0]), let minutes = Int(parts[1]), (0...59).contains(minutes),
            (0...23).contains(hours) || allowEndOfDay && hours == 24 && minutes == 0
        else {
            throw ValidationError(field: field, reason: "\"\(text)\" is not a local time HH:MM (e.g. 09:00)")
        }
        return hours * 60 + minutes
    }
}
