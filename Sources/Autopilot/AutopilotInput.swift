import Foundation
import HeraldCore

/// What autopilot knows of a campaign after an analysis: its arms and their current split, what the analysis advised,
/// and what autopilot did before.
public struct AutopilotInput: Sendable, Equatable {
    /// One variant of the campaign.
    public struct Arm: Sendable, Equatable {
        /// The variant's key (A, B, …).
        public var id: String
        /// Trials (impressions or sends) so far.
        public var trials: Int
        /// Whether it still gets traffic.
        public var live: Bool
        /// Its share of upcoming sends now (0 when stopped).
        public var share: Double
        /// Its chance of being the best arm, from the analysis.
        public var pBest: Double

        public init(id: String, trials: Int, live: Bool = true, share: Double, pBest: Double) {
            self.id = id
            self.trials = trials
            self.live = live
            self.share = share
            self.pBest = pBest
        }
    }

    /// Where an audience campaign (email, SMS) stands in test-then-send; nil for social campaigns.
    public enum AudiencePhase: String, Sendable, Equatable {
        /// The variants go to the test share; the rest waits for the winner.
        case testing
        /// The winner went to the rest (or is going).
        case sent
    }

    public var arms: [Arm]
    /// The analysis's next split by arm id (exact Thompson sampling with a floor); empty when it advised none.
    public var advisedSplit: [String: Double]
    /// The arm the analysis declared the winner on evidence that stays valid under repeated looks.
    public var winner: String?
    /// Arms the analysis advised to stop (significantly worse than the control).
    public var losers: [String]
    /// Whether the analysis flagged a sample-ratio mismatch in the current allocation period.
    public var sampleRatioMismatch: Bool
    public var audience: AudiencePhase?
    /// Challengers autopilot queued before, over the campaign's life.
    public var challengersQueued: Int
    /// Whether a challenger can be written (the campaign has a brief to write it from).
    public var canWriteChallengers: Bool
    /// When the split last changed (the current allocation period's start); nil when it never did.
    public var lastSplitChange: Date?
    /// Hours of the week (0 = Monday 00:00 in the campaign's time zone) in which engagement stands out, best first.
    public var standoutHours: [Int]
    /// The hours of the week the campaign posts in now.
    public var scheduledHours: [Int]
    public var now: Date

    public init(
        arms: [Arm],
        advisedSplit: [String: Double] = [:],
        winner: String? = nil,
        losers: [String] = [],
        sampleRatioMismatch: Bool = false,
        audience: AudiencePhase? = nil,
        challengersQueued: Int = 0,
        canWriteChallengers: Bool = true,
        lastSplitChange: Date? = nil,
        standoutHours: [Int] = [],
        scheduledHours: [Int] = [],
        now: Date
    ) {
        self.arms = arms
        self.advisedSplit = advisedSplit
        self.winner = winner
        self.losers = losers
        self.sampleRatioMismatch = sampleRatioMismatch
        self.audience = audience
        self.challengersQueued = challengersQueued
        self.canWriteChallengers = canWriteChallengers
        self.lastSplitChange = lastSplitChange
        self.standoutHours = standoutHours
        self.scheduledHours = scheduledHours
        self.now = now
    }
}
