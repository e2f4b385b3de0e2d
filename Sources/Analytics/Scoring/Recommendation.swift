/// Something Herald advises doing with a campaign, with how sure it is and why, in plain words.
public struct Recommendation: Codable, Sendable, Equatable {
    /// What to do.
    public enum Action: String, Codable, Sendable {
        case declareWinner = "declare_winner"
        case stopArm = "stop_arm"
        case keepTesting = "keep_testing"
        case investigateSRM = "investigate_srm"
        case reallocate
        case bestSendTime = "best_send_time"
        case useFeature = "use_feature"
    }

    public var action: Action
    /// The arm it concerns, if one.
    public var arm: String?
    /// From 0 to 1.
    public var confidence: Double
    /// One sentence a marketer understands.
    public var reason: String

    public init(action: Action, arm: String?, confidence: Double, reason: String) {
        self.action = action
        self.arm = arm
        self.confidence = confidence
        self.reason = reason
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(action, forKey: .action)
        try container.encode(arm, forKey: .arm)
        try container.encode(confidence, forKey: .confidence)
        try container.encode(reason, forKey: .reason)
    }

    enum CodingKeys: String, CodingKey { case action, arm, confidence, reason }
}
