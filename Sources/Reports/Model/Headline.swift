import Analytics
import Foundation
import HeraldCore

/// The one sentence a reader looks for first, what kind of answer it is, and the reason behind it.
///
/// For example: "B wins: +20.0% clicks vs A, 99% chance to be best — declare B the winner."
public struct Headline: Sendable, Equatable, Codable {
    /// What kind of answer the report gives.
    public enum Verdict: String, Sendable, Codable, CaseIterable {
        /// A winner is declared on evidence that holds under repeated looks.
        case winner
        /// A variant leads, but the test must go on.
        case leading
        /// The traffic split is off: no result can be trusted until it is fixed.
        case checkSplit = "check_split"
        /// No impressions yet.
        case noData = "no_data"
    }

    public var verdict: Verdict
    /// The sentence, e.g. "B leads: +9.8% clicks vs A, 84% chance to be best — keep testing."
    public var text: String
    /// Why, in the words of the first recommendation.
    public var reason: String

    public init(verdict: Verdict, text: String, reason: String) {
        self.verdict = verdict
        self.text = text
        self.reason = reason
    }

    /// The headline of a scored campaign.
    ///
    /// - Parameters:
    ///   - variants: The report's variants (the control is marked).
    ///   - recommendations: The analysis's recommendations, most important first.
    ///   - metric: The success metric, named in the sentence ("clicks", "revenue per impression").
    init(variants: [ReportModel.Variant], recommendations: [Recommendation], metric: Metric) {
        let reason = recommendations.first?.reason ?? ""
        let metricName = metric.isValue ? "revenue per impression" : "\(metric.rawValue)s"
        guard variants.contains(where: { $0.impressions > 0 }), let control = variants.first(where: \.isControl) ?? variants.first else {
            self.init(verdict: .noData, text: "No impressions yet: nothing to compare.", reason: reason)
            return
        }
        if recommendations.contains(where: { $0.action == .investigateSRM }) {
            self.init(
                verdict: .checkSplit,
                text: "On hold: the traffic split does not match the plan — fix assignment or tracking before reading any result.",
                reason: reason
            )
            return
        }
        func comparison(_ variant: ReportModel.Variant) -> String {
            let chance = "\(Format.chance(variant.probabilityBest)) chance to be best"
            guard !variant.isControl, let lift = variant.lift else { return chance }
            return "\(Format.signedPercent(lift)) \(metricName) vs \(control.key), \(chance)"
        }
        if let winning = recommendations.first(where: { $0.action == .declareWinner }),
            let winner = variants.first(where: { $0.key == winning.arm })
        {
            let name = winner.isControl ? "\(winner.key) (control)" : winner.key
            self.init(
                verdict: .winner,
                text: "\(name) wins: \(comparison(winner)) — declare \(winner.key) the winner.",
                reason: winning.reason
            )
            return
        }
        let leader = variants.max { $0.probabilityBest < $1.probabilityBest }!
        let name = leader.isControl ? "\(leader.key) (control)" : leader.key
        let stopped = recommendations.filter { $0.action == .stopArm }.compactMap(\.arm)
        let next = stopped.isEmpty ? "keep testing" : "stop \(Format.list(stopped)) and keep testing the rest"
        let keep = recommendations.first { $0.action == .keepTesting || $0.action == .stopArm }
        self.init(verdict: .leading, text: "\(name) leads: \(comparison(leader)) — \(next).", reason: keep?.reason ?? reason)
    }
}
