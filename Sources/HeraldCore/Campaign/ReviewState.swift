/// Where a variant is in review: only an approved variant is ever published.
public enum ReviewState: String, Sendable, Codable, CaseIterable {
    /// Waiting for a person's decision (generated, edited, or hand-written where the workspace reviews those too).
    case pending
    /// Approved by as many different people as the workspace requires.
    case approved
    /// Rejected, with a comment; it stays so until its content is edited or an approver approves it after all.
    case rejected

    /// Whether a variant in this state may be published.
    public var publishes: Bool { self == .approved }
}
