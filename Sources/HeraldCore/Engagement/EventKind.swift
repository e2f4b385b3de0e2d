/// What an engagement event records.
///
/// `open`, `unsubscribe` and `bounce` are engagement per recipient of an audience message: Herald records them itself
/// (the open pixel, the unsubscribe page and one-click POST, the SMTP server's 5xx), so the batch API and CSV import
/// take only the ``ingestible`` kinds. None of them is a trial or a success: trials are impressions (for email, a
/// message the server accepted).
public enum EventKind: String, CaseIterable, Codable, Sendable {
    case impression, click, like, share, comment, conversion
    case open, unsubscribe, bounce

    /// The kinds that can be a campaign's primary metric (a success); trials are impressions.
    public static let successKinds: [EventKind] = [.click, .like, .share, .comment, .conversion]

    /// The kinds `POST /v1/events` and `herald import events` accept, in order.
    public static let ingestible: [EventKind] = [.impression, .click, .like, .share, .comment, .conversion]

    /// The kinds engagement per recipient adds, which only Herald records.
    public static let perRecipient: [EventKind] = [.open, .unsubscribe, .bounce]

    /// The ingestible kinds' names, in order, for help texts and error messages: `impression, click, ..., conversion`.
    public static let names = ingestible.map(\.rawValue).joined(separator: ", ")

    /// The success kinds' names, in order: `click, like, share, comment, conversion`.
    public static let successNames = successKinds.map(\.rawValue).joined(separator: ", ")

    /// Parses an ingestible kind, or says which kinds exist.
    public static func parse(_ text: some StringProtocol, field: String = "kind") throws(ValidationError) -> EventKind {
        guard let kind = EventKind(rawValue: String(text)), ingestible.contains(kind) else {
            throw ValidationError(
                field: field,
                reason: "\"\(text)\" is not one of \(names)"
            )
        }
        return kind
    }
}
