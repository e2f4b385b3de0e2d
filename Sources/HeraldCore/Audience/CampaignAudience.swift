import Foundation

/// Who an email or SMS campaign sends to, as the campaign file names it:
/// `audience: {list: NAME, test_share: 0.2, segment: {plan: pro, time_zone: Europe/Berlin}, decide_within: "3d"}`.
///
/// With a test share, the variants go to that share of the list first; the winner goes to everyone else once the test
/// decides (or `decide_within` has passed). Without one, every contact receives their variant at once.
public struct CampaignAudience: Sendable, Equatable, Codable {
    /// The contact list's name in the workspace (`herald contacts import FILE.csv --list NAME`).
    public var list: String
    /// The share of the list the test goes to, in (0, 1); nil: no test, everyone at once.
    public var testShare: Double?
    /// Only the list's contacts who match (attributes equal, time zone); nil: the whole list.
    public var segment: Segment?
    /// How long the test may run before the winner is chosen anyway, as written (`3d`, `12h`); nil: until it decides.
    public var decideWithin: String?
    /// How often the test is looked at, as written (`6h`); nil: every six hours (``TestThenSend``).
    public var decideEvery: String?
    /// The local hours each contact may receive the message in (`{start: "09:00", end: "18:00"}`), for send time per
    /// contact; nil: at the campaign's time.
    public var sendWindow: [String: String]?

    /// A simple segment: every attribute equal to its value, and the time zone when given.
    public struct Segment: Sendable, Equatable, Codable {
        /// Attribute name → the value it must equal (a string, number or boolean, as imported).
        public var attributes: [String: JSONValue]
        /// The contacts' IANA time zone, when the segment names one (`time_zone` in the file).
        public var timeZone: String?

        public init(attributes: [String: JSONValue] = [:], timeZone: String? = nil) {
            self.attributes = attributes
            self.timeZone = timeZone
        }

        public init(from decoder: any Decoder) throws {
            var attributes = try decoder.singleValueContainer().decode([String: JSONValue].self)
            if case .string(let zone)? = attributes.removeValue(forKey: "time_zone") { timeZone = zone }
            self.attributes = attributes
        }

        /// The file's shape: the attributes, and `time_zone` beside them.
        public func encode(to encoder: any Encoder) throws {
            var all = attributes
            if let timeZone { all["time_zone"] = .string(timeZone) }
            var container = encoder.singleValueContainer()
            try container.encode(all)
        }
    }

    public init(
        list: String,
        testShare: Double? = nil,
        segment: Segment? = nil,
        decideWithin: String? = nil,
        decideEvery: String? = nil,
        sendWindow: [String: String]? = nil
    ) {
        self.list = list
        self.testShare = testShare
        self.segment = segment
        self.decideWithin = decideWithin
        self.decideEvery = decideEvery
        self.sendWindow = sendWindow
    }

    enum CodingKeys: String, CodingKey {
        case list, segment
        case testShare = "test_share"
        case decideWithin = "decide_within"
        case decideEvery = "decide_every"
        case sendWindow = "send_window"
    }

    /// The test-then-send settings (look interval, deadline, send window) this audience gives.
    public var testThenSend: TestThenSend {
        get throws(ValidationError) {
            let json = (try? JSONEncoder().encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
            return try TestThenSend(audienceJSON: json)
        }
    }

    /// `decide_within` in seconds, nil when not given.
    public var decideWithinSeconds: Int? { decideWithin.flatMap(Self.seconds(of:)) }

    /// The seconds of a span written `<whole number><s|m|h|d|w>` (`3d`), nil when it is not one.
    public static func seconds(of text: String) -> Int? {
        guard let unit = text.last, let number = Int(text.dropLast()), number > 0 else { return nil }
        let scale: Int
        switch unit {
        case "s": scale = 1
        case "m": scale = 60
        case "h": scale = 3_600
        case "d": scale = 86_400
        case "w": scale = 604_800
        default: return nil
        }
        let (seconds, overflow) = number.multipliedReportingOverflow(by: scale)
        return overflow ? nil : seconds
    }

    /// Reads the `audience` mapping of a campaign file.
    ///
    /// - Throws: ``ValidationError`` naming the field (`audience.test_share`…) that is wrong.
    public static func parse(_ value: Any) throws(ValidationError) -> CampaignAudience {
        guard let mapping = value as? [String: Any] else {
            throw ValidationError(field: "audience", reason: "must be a mapping like {list: newsletter, test_share: 0.2}")
        }
        let known: Set<String> = ["list", "test_share", "segment", "decide_within", "decide_every", "send_window"]
        if let unknown = mapping.keys.sorted().first(where: { !known.contains($0) }) {
            throw ValidationError(field: "audience.\(unknown)", reason: "unknown field (expected \(known.sorted().joined(separator: ", ")))")
        }
        guard let list = mapping["list"] as? String else {
            throw ValidationError(field: "audience.list", reason: "is required: the name of a contact list")
        }
        var share: Double?
        switch mapping["test_share"] {
        case nil, is NSNull: break
        case is Bool: throw ValidationError(field: "audience.test_share", reason: "must be a number between 0 and 1 (e.g. 0.2)")
        case let number as Double: share = number
        case let number as Int: share = Double(number)
        default: throw ValidationError(field: "audience.test_share", reason: "must be a number between 0 and 1 (e.g. 0.2)")
        }
        var segment: Segment?
        switch mapping["segment"] {
        case nil, is NSNull: break
        case let fields as [String: Any]:
            var parsed = Segment()
            for key in fields.keys.sorted() {
                let field = "audience.segment.\(key)"
                switch fields[key] {
                case let text as String where key == "time_zone": parsed.timeZone = text
                case let flag as Bool: parsed.attributes[key] = .bool(flag)
                case let number as Int: parsed.attributes[key] = .integer(Int64(number))
                case let number as Double: parsed.attributes[key] = .number(number)
                case let text as String: parsed.attributes[key] = .string(text)
                default: throw ValidationError(field: field, reason: "must be a string, number or boolean the attribute equals")
                }
            }
            segment = parsed
        default:
            throw ValidationError(field: "audience.segment", reason: "must be a mapping of attribute to value, e.g. {plan: pro}")
        }
        var within: String?
        switch mapping["decide_within"] {
        case nil, is NSNull: break
        case let text as String: within = text
        default: throw ValidationError(field: "audience.decide_within", reason: "must be a span like \"3d\" or \"12h\"")
        }
        var every: String?
        switch mapping["decide_every"] {
        case nil, is NSNull: break
        case let text as String: every = text
        default: throw ValidationError(field: "audience.decide_every", reason: "must be a span like \"6h\" or \"1d\"")
        }
        var window: [String: String]?
        switch mapping["send_window"] {
        case nil, is NSNull: break
        case let object as [String: Any]:
            guard let start = object["start"] as? String, let end = object["end"] as? String, object.count == 2 else {
                throw ValidationError(field: "audience.send_window", reason: "must be {start: \"09:00\", end: \"18:00\"} (local times)")
            }
            window = ["start": start, "end": end]
        default: throw ValidationError(field: "audience.send_window", reason: "must be {start: \"09:00\", end: \"18:00\"} (local times)")
        }
        let audience = CampaignAudience(
            list: list,
            testShare: share,
            segment: segment,
            decideWithin: within,
            decideEvery: every,
            sendWindow: window
        )
        try audience.validate()
        return audience
    }

    /// Checks every field; throws the first problem found.
    public func validate() throws(ValidationError) {
        guard !list.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ValidationError(field: "audience.list", reason: "must name a contact list")
        }
        if let testShare {
            guard testShare.isFinite, testShare > 0, testShare < 1 else {
                throw ValidationError(
                    field: "audience.test_share",
                    reason: "is \(testShare); a share of the list between 0 and 1 (e.g. 0.2), or leave it out to send to everyone at once"
                )
            }
        }
        if let zone = segment?.timeZone, TimeZone(identifier: zone) == nil {
            throw ValidationError(field: "audience.segment.time_zone", reason: "\"\(zone)\" is not an IANA time zone (e.g. Europe/Berlin)")
        }
        if let decideWithin {
            guard Self.seconds(of: decideWithin) != nil else {
                throw ValidationError(
                    field: "audience.decide_within",
                    reason: "\"\(decideWithin)\" is not a span like \"3d\" or \"12h\" (s, m, h, d, w)"
                )
            }
            guard testShare != nil else {
                throw ValidationError(field: "audience.decide_within", reason: "only a campaign with a test_share waits for a decision")
            }
        }
        // decide_every and send_window are read by the test-then-send settings; their errors name the field.
        _ = try testThenSend
    }

    /// The phase a campaign's send starts with: the test share when there is one, else everyone.
    public var firstPhase: SendPhase { testShare == nil ? .all : .test }
}

/// Which part of an audience a send goes to: the test share (every variant), the rest (the winner), or everyone.
public enum SendPhase: String, Sendable, Codable, CaseIterable {
    case test, rest, all
}
