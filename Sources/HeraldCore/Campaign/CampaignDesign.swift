import Foundation

/// A campaign's planned test: the impressions (of all variants together) at which its test ends.
///
/// With a plan, each stored analysis of the campaign is a look of a group-sequential test: the boundaries are those of
/// the looks so far, error rate is spent as the impressions approach the horizon, and the first look at or past it is
/// the final analysis (it spends what is left; later looks decide nothing). Without one, analyses use an always-valid
/// test, which needs no plan and pays for it in impressions. The plan applies to rates; a campaign whose primary metric
/// is revenue is scored always-valid.
public struct CampaignDesign: Codable, Sendable, Equatable {
    /// The planned total of impressions, all variants together.
    public var horizon: Int

    /// The smallest horizon accepted: fewer impressions cannot tell variants apart.
    public static let minimumHorizon = 100
    /// The largest horizon accepted.
    public static let maximumHorizon = 1_000_000_000_000

    public init(horizon: Int) throws(ValidationError) {
        guard (Self.minimumHorizon...Self.maximumHorizon).contains(horizon) else {
            throw ValidationError(
                field: "design.horizon",
                reason: "expected the planned total of impressions, from \(Self.minimumHorizon) to \(Self.maximumHorizon), found \(horizon)"
            )
        }
        self.horizon = horizon
    }

    /// `design: {horizon: 200000}` of a campaign file.
    public static func parse(_ value: Any) throws(ValidationError) -> CampaignDesign {
        guard let mapping = value as? [String: Any] else {
            throw ValidationError(field: "design", reason: "expected a mapping with horizon (the planned total of impressions)")
        }
        if let unknown = mapping.keys.sorted().first(where: { $0 != "horizon" }) {
            throw ValidationError(field: "design.\(unknown)", reason: "unknown field (expected horizon)")
        }
        let horizon: Int
        switch mapping["horizon"] {
        case nil, is NSNull:
            throw ValidationError(field: "design.horizon", reason: "required: the planned total of impressions, all variants together")
        case is Bool:
            throw ValidationError(field: "design.horizon", reason: "expected a whole number of impressions, found true or false")
        case let number as Int:
            horizon = number
        case let number as Double where number.rounded() == number && abs(number) <= Double(maximumHorizon):
            horizon = Int(number)
        case let other?:
            throw ValidationError(field: "design.horizon", reason: "expected a whole number of impressions, found \(other)")
        }
        return try CampaignDesign(horizon: horizon)
    }
}
