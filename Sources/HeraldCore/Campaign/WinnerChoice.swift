import Foundation

/// The winner of a campaign's test, once chosen: which variant, when, by whom or what, and why
/// (`campaigns.winner_variant_id`, `winner_chosen_at`, `winner_chosen_by`, `winner_reason`).
public struct WinnerChoice: Sendable, Equatable, Codable {
    /// `analysis` when the sequential test decided, `deadline` when the deadline passed first; anything else names a
    /// person (`person`, or the name of the API token that chose).
    public var chosenBy: String
    /// The winning variant; nil when it was deleted after it won.
    public var variant: VariantID?
    /// The variant's key.
    public var variantKey: String
    public var chosenAt: Date
    public var reason: String

    /// Who chose when the sequential test decided.
    public static let byAnalysis = "analysis"
    /// Who chose when the deadline passed without a decision.
    public static let byDeadline = "deadline"
    /// Who chose from the command line.
    public static let byPerson = "person"

    public init(chosenBy: String, variant: VariantID?, variantKey: String, chosenAt: Date, reason: String) {
        self.chosenBy = chosenBy
        self.variant = variant
        self.variantKey = variantKey
        self.chosenAt = chosenAt
        self.reason = reason
    }

    /// Whether a person chose (not the analysis nor the deadline).
    public var byPerson: Bool { chosenBy != Self.byAnalysis && chosenBy != Self.byDeadline }

    /// The refusal of another choice: `campaign spring already has a winner: B, chosen by analysis at
    /// 2026-03-04T09:00:00Z (B beat A: …)`.
    public func refusal(campaign slug: String) -> ConflictError {
        ConflictError(
            "campaign \(slug) already has a winner: \(variantKey), chosen by \(chosenBy) at \(Timestamp.format(chosenAt))"
                + (reason.isEmpty ? "" : " (\(reason))")
        )
    }

    enum CodingKeys: String, CodingKey {
        case variant, reason
        case chosenBy = "chosen_by"
        case variantKey = "variant_key"
        case chosenAt = "chosen_at"
    }
}
