import Foundation

/// The limits within which autopilot may change a running campaign by itself.
///
/// Each is checked by ``Autopilot/plan(_:rails:)``; an action a rail holds back is reported as held, with the rail's
/// reason, never dropped silently.
public struct GuardRails: Sendable, Equatable, Codable {
    /// Trials every live arm needs before any change (declaring a winner included).
    public var minimumSample: Int
    /// The most traffic one change of split may move: the total variation distance between the old and the new split
    /// (half the sum of the absolute changes), e.g. 0.2 moves at most a fifth of all sends from some arms to others.
    public var maximumShift: Double
    /// The least time between two changes of split (each opens a new allocation period).
    public var minimumPeriod: TimeInterval
    /// The least share a live arm keeps, so every arm goes on learning.
    public var minimumShare: Double
    /// How many challengers autopilot may queue over the campaign's life.
    public var challengerBudget: Int
    /// At most this many posts per connected account per day when autopilot moves a schedule.
    public var postsPerAccountPerDay: Int
    /// The chance of being best a declared winner needs before autopilot gives it every send. The analysis declares
    /// a winner on evidence against the control; with three or more variants another may still be as good, so
    /// autopilot also asks that the winner lead the others by this much.
    public var winnerProbability: Double

    public init(
        minimumSample: Int = 1_000,
        maximumShift: Double = 0.2,
        minimumPeriod: TimeInterval = 86_400,
        minimumShare: Double = 0.05,
        challengerBudget: Int = 3,
        postsPerAccountPerDay: Int = 3,
        winnerProbability: Double = 0.95
    ) {
        self.minimumSample = minimumSample
        self.maximumShift = maximumShift
        self.minimumPeriod = minimumPeriod
        self.minimumShare = minimumShare
        self.challengerBudget = challengerBudget
        self.postsPerAccountPerDay = postsPerAccountPerDay
        self.winnerProbability = winnerProbability
    }

    enum CodingKeys: String, CodingKey {
        case minimumSample = "minimum_sample"
        case maximumShift = "maximum_shift"
        case minimumPeriod = "minimum_period_hours"
        case minimumShare = "minimum_share"
        case challengerBudget = "challenger_budget"
        case postsPerAccountPerDay = "posts_per_account_per_day"
        case winnerProbability = "winner_probability"
    }

    /// Any key, to name one that is not a guard rail.
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// The rails' names as written.
    public static let names = [
        "minimum_sample", "maximum_shift", "minimum_period_hours", "minimum_share", "challenger_budget", "posts_per_account_per_day",
        "winner_probability",
    ]

    public init(from decoder: any Decoder) throws {
        let defaults = GuardRails()
        if let unknown = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue).sorted().first(where: { !Self.names.contains($0) }) {
            throw GuardRailError(rail: unknown, reason: "is not a guard rail (expected one of \(Self.names.joined(separator: ", ")))")
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        minimumSample = try container.decodeIfPresent(Int.self, forKey: .minimumSample) ?? defaults.minimumSample
        maximumShift = try container.decodeIfPresent(Double.self, forKey: .maximumShift) ?? defaults.maximumShift
        minimumPeriod = try container.decodeIfPresent(Double.self, forKey: .minimumPeriod).map { $0 * 3_600 } ?? defaults.minimumPeriod
        minimumShare = try container.decodeIfPresent(Double.self, forKey: .minimumShare) ?? defaults.minimumShare
        challengerBudget = try container.decodeIfPresent(Int.self, forKey: .challengerBudget) ?? defaults.challengerBudget
        postsPerAccountPerDay = try container.decodeIfPresent(Int.self, forKey: .postsPerAccountPerDay) ?? defaults.postsPerAccountPerDay
        winnerProbability = try container.decodeIfPresent(Double.self, forKey: .winnerProbability) ?? defaults.winnerProbability
        try validate()
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(minimumSample, forKey: .minimumSample)
        try container.encode(maximumShift, forKey: .maximumShift)
        try container.encode(minimumPeriod / 3_600, forKey: .minimumPeriod)
        try container.encode(minimumShare, forKey: .minimumShare)
        try container.encode(challengerBudget, forKey: .challengerBudget)
        try container.encode(postsPerAccountPerDay, forKey: .postsPerAccountPerDay)
        try container.encode(winnerProbability, forKey: .winnerProbability)
    }

    /// Checks each limit is one autopilot can keep.
    public func validate() throws(GuardRailError) {
        guard minimumSample >= 0 else { throw GuardRailError(rail: "minimum_sample", reason: "must be 0 or more, found \(minimumSample)") }
        guard maximumShift > 0, maximumShift <= 1 else {
            throw GuardRailError(rail: "maximum_shift", reason: "must be above 0 and at most 1, found \(maximumShift)")
        }
        guard minimumPeriod >= 0 else { throw GuardRailError(rail: "minimum_period_hours", reason: "must be 0 or more") }
        guard minimumShare >= 0, minimumShare < 0.5 else {
            throw GuardRailError(rail: "minimum_share", reason: "must be from 0 up to (not including) 0.5, found \(minimumShare)")
        }
        guard challengerBudget >= 0 else { throw GuardRailError(rail: "challenger_budget", reason: "must be 0 or more") }
        guard (1...24).contains(postsPerAccountPerDay) else {
            throw GuardRailError(rail: "posts_per_account_per_day", reason: "must be from 1 to 24, found \(postsPerAccountPerDay)")
        }
        guard winnerProbability >= 0.5, winnerProbability <= 1 else {
            throw GuardRailError(rail: "winner_probability", reason: "must be from 0.5 to 1, found \(winnerProbability)")
        }
    }
}

/// A guard rail that cannot be kept as given: which one, and why.
public struct GuardRailError: Error, Equatable, CustomStringConvertible {
    public var rail: String
    public var reason: String

    public init(rail: String, reason: String) {
        self.rail = rail
        self.reason = reason
    }

    public var description: String { "autopilot.\(rail) \(reason)" }
}
