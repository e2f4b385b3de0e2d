import Analytics
import Foundation

/// The planned test a campaign's calls were made on (its `design`): the horizon, which look this analysis is, and
/// whether it is the final analysis or comes after it. Absent from reports of campaigns without a plan (their calls use
/// always-valid tests).
public struct PlannedTest: Sendable, Equatable, Codable {
    /// The planned total of impressions, all variants together.
    public var horizon: Int
    /// This analysis's look, from 1.
    public var look: Int
    /// Impressions at this look, all variants together.
    public var impressions: Int
    /// This look is the final analysis: the first at or past the horizon, spending what is left of the error rate.
    public var isFinal: Bool
    /// The final analysis came at an earlier look: this one declares nothing and stops nothing.
    public var hasEnded: Bool

    public init(horizon: Int, look: Int, impressions: Int, isFinal: Bool, hasEnded: Bool) {
        self.horizon = horizon
        self.look = look
        self.impressions = impressions
        self.isFinal = isFinal
        self.hasEnded = hasEnded
    }

    /// The planned test of a score made with `design` over `impressions` (its earlier looks are `design.looks`).
    public init(design: ScoreInput.Design, impressions: Int) {
        let looks = design.looks ?? []
        let ended = looks.contains { $0 >= design.horizon }
        self.init(
            horizon: design.horizon,
            look: looks.count + 1,
            impressions: impressions,
            isFinal: !ended && impressions >= design.horizon,
            hasEnded: ended
        )
    }

    /// One sentence for the report's method section.
    public var methodLine: String {
        let plan =
            "Winners and stops are called on a group-sequential test planned for \(Format.grouped(horizon)) impressions "
            + "(Lan–DeMets spending α·t², Holm-adjusted across variants): this analysis is look \(look), at \(Format.grouped(impressions)) impressions, "
            + "and the boundaries count every earlier look, so checking the report every day does not inflate false winners."
        if hasEnded { return plan + " The final analysis came at an earlier look: these counts decide nothing." }
        if isFinal { return plan + " This is the final analysis: it spends what is left of the error rate." }
        return plan
    }
}
