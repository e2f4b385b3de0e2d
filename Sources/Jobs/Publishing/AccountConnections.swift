import Connectors
import Foundation
import HeraldCore

/// Where publishing and metrics collection get an account's connector and decrypted credentials.
public protocol AccountConnections: Sendable {
    /// The connector for the account's kind and the account with its credentials (decrypted).
    ///
    /// - Throws: ``NotFoundError`` when the workspace has no such account; an error saying which key to use when the
    ///   credentials cannot be decrypted.
    func connection(for account: UUID, workspace: WorkspaceID) async throws -> (any ChannelConnector, ConnectedAccount)
}
