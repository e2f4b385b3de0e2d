import Foundation

/// An account that cannot be used until a person reconnects it (its health is needs_reconnect).
public struct AccountUnavailable: Error, Sendable, CustomStringConvertible {
    public var account: UUID
    /// Why, as stored with the account's health.
    public var reason: String

    public init(account: UUID, reason: String) {
        self.account = account
        self.reason = reason
    }

    public var description: String { "account \(account.uuidString.lowercased()) needs reconnecting: \(reason)" }
}
