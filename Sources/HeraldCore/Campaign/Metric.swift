/// What a campaign optimises: a success event kind counted per impression (`click`, …, `conversion`), or
/// `revenue`, the mean value of conversions per impression.
///
/// Trials are impressions for every metric. For `revenue` an impression's value is the `value` of its
/// conversion (0 when it did not convert or the conversion carried no value), so revenue per impression
/// is a mean over impressions, scored from the rollups' sum and sum of squares of conversion values.
public enum Metric: String, CaseIterable, Codable, Sendable {
    case click, like, share, comment, conversion, revenue

    /// The metric that counts `kind` as a success.
    public init(_ kind: EventKind) {
        self = Metric(rawValue: kind.rawValue) ?? .click
    }

    /// The event kind counted per impression: the kind itself, or `conversion` for `revenue`.
    public var eventKind: EventKind {
        switch self {
        case .click: .click
        case .like: .like
        case .share: .share
        case .comment: .comment
        case .conversion, .revenue: .conversion
        }
    }

    /// Whether the metric is the value of conversions (a mean per impression) rather than a rate.
    public var isValue: Bool { self == .revenue }

    /// Every metric's name, in order: `click, like, share, comment, conversion, revenue`.
    public static let names = allCases.map(\.rawValue).joined(separator: ", ")

    /// Parses a metric, or says which metrics exist.
    public static func parse(_ text: some StringProtocol, field: String = "primary_metric") throws(ValidationError) -> Metric {
        guard let metric = Metric(rawValue: String(text)) else {
            throw ValidationError(field: field, reason: "\"\(text)\" is not one of \(names) (impressions are the trials)")
        }
        return metric
    }
}
