import Connectors

/// How `herald channels connect` checks an account with its platform before storing it (its handle, followers and
/// health come from the check).
struct AccountCheck: Sendable {
    /// Asks the platform about the account; throws ``ConnectorError`` when it refuses or cannot answer.
    var check: @Sendable (ConnectedAccount) async throws -> AccountProfile

    /// The check for `kind`, or nil when this build has no connector for that kind yet (the account is then stored
    /// unchecked, and the command says so; a check is never pretended).
    ///
    /// This is the seam to `ConnectorRegistry`: `AccountCheck { try await registry.connector(for: kind).check($0) }`.
    static func available(for kind: AccountKind) -> AccountCheck? {
        nil
    }
}
