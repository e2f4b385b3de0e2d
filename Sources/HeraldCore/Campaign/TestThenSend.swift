import Foundation

/// How a campaign that sends to an audience tests before it sends, as stored in `campaigns.audience`:
/// `{"test_share": 0.2, "decide_within": "3d", "decide_every": "6h", "send_window": {"start": "09:00", "end": "18:00"}}`
/// (every key optional; other keys, such as the list, are read elsewhere).
///
/// With a test share, the variants go to that share of the list first; the test is looked at every ``decideEvery``
/// until the sequential test decides or ``decideWithin`` has passed, and then the winner goes to everyone else.
public struct TestThenSend: Sendable, Equatable {
    /// The share of the audience that gets the test (0 < share < 1), or nil: no test, everyone gets the split.
    public var testShare: Double?
    /// How long after the test went out a winner must be chosen, by the best arm if the test has not decided.
    public var decideWithin: TimeInterval
    /// How long between two looks at the test.
    public var decideEvery: TimeInterval
    /// The local times of day a contact may be reached, if the campaign limits them.
    public var sendWindow: SendWindow?

    /// The deadline when `decide_within` is not given: three days.
    public static let defaultDecideWithin: TimeInterval = 3 * 86_400
    /// The time between looks when `decide_every` is not given: six hours.
    public static let defaultDecideEvery: TimeInterval = 6 * 3_600

    public init(
        testShare: Double?,
        decideWithin: TimeInterval = TestThenSend.defaultDecideWithin,
        decideEvery: TimeInterval = TestThenSend.defaultDecideEvery,
        sendWindow: SendWindow? = nil
    ) {
        self.testShare = testShare
        self.decideWithin = decideWithin
        self.decideEvery = decideEvery
        self.sendWindow = sendWindow
    }

    /// Reads the audience object of a campaign (`campaigns.audience`).
    ///
    /// - Throws: ``ValidationError`` naming the key (`audience.test_share`, `audience.decide_within`…) and what is wrong.
    public init(audienceJSON json: String) throws(ValidationError) {
        let object: [String: JSONValue]
        do {
            object = try JSONDecoder().decode([String: JSONValue].self, from: Data(json.utf8))
        } catch {
            throw ValidationError(field: "audience", reason: "is not a JSON object")
        }
        self.init(testShare: nil)
        switch object["test_share"] {
        case nil, .null: break
        case .number(let share) where share > 0 && share < 1: testShare = share
        default:
            throw ValidationError(field: "audience.test_share", reason: "must be a number between 0 and 1 (e.g. 0.2 for 20%)")
        }
        if let text = try Self.string(object["decide_within"], field: "audience.decide_within") {
            decideWithin = try Self.duration(text, field: "audience.decide_within")
        }
        if let text = try Self.string(object["decide_every"], field: "audience.decide_every") {
            decideEvery = try Self.duration(text, field: "audience.decide_every")
        }
        switch object["send_window"] {
        case nil, .null: break
        case .object(let window):
            guard let start = try Self.string(window["start"], field: "audience.send_window.start"),
                let end = try Self.string(window["end"], field: "audience.send_window.end")
            else {
                throw ValidationError(field: "audience.send_window", reason: "needs start and end (e.g. {\"start\": \"09:00\", \"end\": \"18:00\"})")
            }
            sendWindow = try SendWindow(start: start, end: end, field: "audience.send_window")
        default:
            throw ValidationError(field: "audience.send_window", reason: "must be an object {\"start\": \"09:00\", \"end\": \"18:00\"}")
        }
    }

    static func string(_ value: JSONValue?, field: String) throws(ValidationError) -> String? {
        switch value {
        case nil, .null: return nil
        case .string(let text): return text
        default: throw ValidationError(field: field, reason: "must be a string")
        }
    }

    /// Reads a duration such as `90m`, `6h`, `3d` or `1w` (a whole number and one unit: s, m, h, d or w).
    ///
    /// - Throws: ``ValidationError`` on `field` for anything else, or a duration of zero.
    public static func duration(_ text: String, field: String) throws(ValidationError) -> TimeInterval {
        // One rule for spans, shared with the campaign file's audience (``CampaignAudience/seconds(of:)``).
        guard let seconds = CampaignAudience.seconds(of: text.trimmingCharacters(in: .whitespaces)) else {
            throw ValidationError(field: field, reason: "\"\(text)\" is not a duration such as 6h, 3d or 90m (units s, m, h, d, w)")
        }
        return TimeInterval(seconds)
    }
}
