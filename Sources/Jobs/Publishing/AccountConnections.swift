import Connectors
import Foundation
import HeraldCore
import Storage

/// Where publishing and metrics collection get an account's connector and decrypted credentials, and record what they
/// learn about its health.
public protocol AccountConnections: Sendable {
    /// The connector for the account's kind and the account with its credentials (decrypted).
    ///
    /// - Throws: ``AccountUnavailable`` when the account needs reconnecting (nothing is asked of the platform then);
    ///   ``NotFoundError`` when the workspace has no such account; ``SecretError`` saying which key to use when the
    ///   credentials cannot be decrypted.
    func connection(for account: UUID, workspace: WorkspaceID) async throws -> (any ChannelConnector, ConnectedAccount)

    /// Records the account's health; returns whether the state changed (to alert once).
    func setHealth(account: UUID, workspace: WorkspaceID, _ health: AccountHealth, reason: String?, until: Date?) async throws -> Bool
}

/// The accounts a workspace connected, as stored (credentials sealed by `secrets`), each with its kind's connector.
public struct StoredAccountConnections: AccountConnections {
    let database: Database
    let secrets: SecretBox
    let registry: ConnectorRegistry

    public init(database: Database, secrets: SecretBox, registry: ConnectorRegistry = ConnectorRegistry()) {
        self.database = database
        self.secrets = secrets
        self.registry = registry
    }

    public func connection(for account: UUID, workspace: WorkspaceID) async throws -> (any ChannelConnector, ConnectedAccount) {
        let store = AccountStore(database, workspace: workspace, secrets: secrets)
        let stored = try await store.find(id: account)
        if stored.health == .needsReconnect {
            throw AccountUnavailable(account: account, reason: stored.reason ?? "the platform refused its credentials")
        }
        let connected = try await store.connected(account)
        return (registry.connector(for: connected.kind), connected)
    }

    public func setHealth(account: UUID, workspace: WorkspaceID, _ health: AccountHealth, reason: String?, until: Date?) async throws -> Bool {
        try await AccountStore(database, workspace: workspace, secrets: secrets).setHealth(account, health, reason: reason, until: until)
    }
}
