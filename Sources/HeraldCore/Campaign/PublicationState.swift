/// Where a publication is in its delivery (the contract's names, stored in `publications.status`):
/// scheduled → sending → published | failed; cancelled (its campaign was paused or ended first); dry_run (its campaign
/// is a dry run: it went to the table-only sink and nothing was posted).
public enum PublicationState: String, CaseIterable, Codable, Sendable {
    case scheduled, sending, published, failed, cancelled
    case dryRun = "dry_run"

    /// Every state's name, comma-separated: for help texts and errors.
    public static let names = allCases.map(\.rawValue).joined(separator: ", ")

    /// Reads a state a person typed (`--state failed`, `?state=failed`).
    ///
    /// - Throws: ``ValidationError`` on `field`, naming every state, when `text` is none of them.
    public init(parsing text: String, field: String) throws(ValidationError) {
        guard let state = PublicationState(rawValue: text) else {
            throw ValidationError(field: field, reason: "\"\(text)\" is not a publication state; one of \(Self.names)")
        }
        self = state
    }
}
