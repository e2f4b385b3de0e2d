/// What an engagement event records.
public enum EventKind: String, CaseIterable, Codable, Sendable {
    case impression, click, like, share, comment, conversion

    /// The kinds that can be a campaign's primary metric (a success); trials are impressions.
    public static let successKinds: [EventKind] = [.click, .like, .share, .comment, .conversion]

    /// Every kind's name, in order, for help texts and error messages: `impression, click, ..., conversion`.
    public static let names = allCases.map(\.rawValue).joined(separator: ", ")

    /// The success kinds' names, in order: `click, like, share, comment, conversion`.
    public static let successNames = successKinds.map(\.rawValue).joined(separator: ", ")

    /// Parses a kind, or says which kinds exist.
    public static func parse(_ text: some StringProtocol, field: String = "kind") throws(ValidationError) -> EventKind {
        guard let kind = EventKind(rawValue: String(text)) else {
            throw ValidationError(
                field: field,
                reason: "\"\(text)\" is not one of \(names)"
            )
        }
        return kind
    }
}
