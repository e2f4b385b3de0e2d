/// A place where campaign content goes out.
public enum Channel: String, CaseIterable, Codable, Sendable {
    case x, instagram, linkedin, facebook, mastodon, bluesky, webhook, email, sms

    /// Whether one publication reaches a split audience (each variant goes to its share of the recipients), rather
    /// than one post being seen by everyone who follows the account.
    public var splitsAudience: Bool { self == .email || self == .sms }

    /// Every channel's name, in order, for help texts and error messages: `x, instagram, ..., sms`.
    public static let names = allCases.map(\.rawValue).joined(separator: ", ")

    /// Reads a channel's name, in any case, or says which channels exist.
    ///
    /// ```swift
    /// try Channel(parsing: "LinkedIn", field: "channels[0]")   // .linkedin
    /// try Channel(parsing: "fax", field: "channels[0]")        // channels[0]: "fax" is not one of x, instagram, ...
    /// ```
    ///
    /// - Parameters:
    ///   - text: The name as given.
    ///   - field: Where the name came from, for the error (`channels[1]`, `--channel`).
    /// - Throws: ``ValidationError`` on `field` naming the channels that exist.
    public init(parsing text: some StringProtocol, field: String) throws(ValidationError) {
        guard let channel = Channel(rawValue: text.lowercased()) else {
            throw ValidationError(field: field, reason: "\"\(text)\" is not one of \(Self.names)")
        }
        self = channel
    }
}

/// Channels key JSON objects (`{"mastodon": "brand"}`), not lists of pairs.
extension Channel: CodingKeyRepresentable {}
