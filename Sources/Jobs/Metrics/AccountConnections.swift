import Connectors
import Foundation
import HeraldCore

/// Where handlers get a connected account and the connector that speaks its platform's API (decrypted credentials
/// stay behind this seam; the worker's implementation reads them through `AccountStore.connected(_:)`).
public protocol AccountConnections: Sendable {
    /// The connector of the account's kind and the account with its decrypted credentials.
    ///
    /// - Throws: ``AccountUnavailable`` when the account needs reconnecting (nothing is asked of the platform then),
    ///   or the store's error.
    func connection(for account: UUID, workspace: WorkspaceID) async throws -> (any ChannelConnector, ConnectedAccount)

    /// The platform refused the account's credentials (a ``ConnectorError`` of kind auth, after the connector's one
    /// refresh): the account needs reconnecting.
    ///
    /// - Returns: Whether this changed the account's health, so that it is told once, not once per job.
    func refused(_ account: UUID, workspace: WorkspaceID, error: ConnectorError) async throws -> Bool
}

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
