import Connectors
import Storage

/// The account checks `herald channels connect` runs before storing an account (its handle, followers and health
/// come from the check).
enum AccountChecks {
    /// The check for `kind`, or nil when this build has no connector for that kind yet (the account is then stored
    /// unchecked, and the command says so; a check is never pretended).
    ///
    /// This is the seam to `ConnectorRegistry`: `{ try await registry.connector(for: kind).check($0) }`.
    static func available(for kind: AccountKind) -> AccountCheck? {
        let connector = ConnectorRegistry().connector(for: kind)
        return { try await connector.check($0) }
    }
}
