/// One change autopilot makes (or suggests) to a campaign, with its reason in plain words.
public struct AutopilotAction: Sendable, Equatable, Codable {
    /// What changes.
    public enum Change: Sendable, Equatable {
        /// The arm wins: it takes every upcoming send.
        case declareWinner(arm: String)
        /// The arm gets no more traffic; its share goes to the others.
        case stopArm(arm: String)
        /// Upcoming sends follow this split (arm id → share, summing to 1); a new allocation period begins.
        case setSplit([String: Double])
        /// The winner goes to the audience that has not received the campaign yet (test-then-send).
        case sendWinnerToRest(arm: String)
        /// A challenger written from the leader joins the test (after review, unless the workspace allows
        /// rule-generated challengers without it).
        case queueChallenger(leader: String)
        /// The campaign posts in these hours of the week from now on (0 = Monday 00:00, campaign time), instead of the
        /// hours `from` it posted in when the analysis planned the move (a schedule changed since is not moved).
        case moveSchedule(hours: [Int], from: [Int])
    }

    public var change: Change
    public var reason: String

    public init(_ change: Change, reason: String) {
        self.change = change
        self.reason = reason
    }

    /// The action's kind as stored and shown: declare_winner, stop_arm, set_split, send_winner_to_rest,
    /// queue_challenger, move_schedule.
    public var kind: String {
        switch change {
        case .declareWinner: "declare_winner"
        case .stopArm: "stop_arm"
        case .setSplit: "set_split"
        case .sendWinnerToRest: "send_winner_to_rest"
        case .queueChallenger: "queue_challenger"
        case .moveSchedule: "move_schedule"
        }
    }

    enum CodingKeys: String, CodingKey { case kind, arm, split, hours, from, reason }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try container.decode(String.self, forKey: .kind)
        reason = try container.decode(String.self, forKey: .reason)
        func arm() throws -> String { try container.decode(String.self, forKey: .arm) }
        switch kind {
        case "declare_winner": change = .declareWinner(arm: try arm())
        case "stop_arm": change = .stopArm(arm: try arm())
        case "set_split": change = .setSplit(try container.decode([String: Double].self, forKey: .split))
        case "send_winner_to_rest": change = .sendWinnerToRest(arm: try arm())
        case "queue_challenger": change = .queueChallenger(leader: try arm())
        case "move_schedule":
            change = .moveSchedule(
                hours: try container.decode([Int].self, forKey: .hours),
                from: try container.decodeIfPresent([Int].self, forKey: .from) ?? []
            )
        default:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: container, debugDescription: "\"\(kind)\" is not an autopilot action")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(reason, forKey: .reason)
        switch change {
        case .declareWinner(let arm), .stopArm(let arm), .sendWinnerToRest(let arm), .queueChallenger(let arm):
            try container.encode(arm, forKey: .arm)
        case .setSplit(let split): try container.encode(split, forKey: .split)
        case .moveSchedule(let hours, let from):
            try container.encode(hours, forKey: .hours)
            try container.encode(from, forKey: .from)
        }
    }
}

/// What autopilot decided after one analysis: the actions to take, and what a guard rail held back (and why).
public struct AutopilotPlan: Sendable, Equatable {
    public var actions: [AutopilotAction]
    /// One sentence per thing the analysis advised that a guard rail held back.
    public var held: [String]

    public init(actions: [AutopilotAction] = [], held: [String] = []) {
        self.actions = actions
        self.held = held
    }
}
