import Foundation
import HeraldCore
import NIOCore
import PostgresNIO

extension WorkspaceStore {
    /// The key the workspace's share links are signed with, created (32 random bytes) on first use.
    public func shareSecret(_ workspace: WorkspaceID) async throws -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        let fresh = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        // Writes only the first time (a concurrent first use keeps whichever key landed first).
        try await database.client.query(
            "UPDATE workspaces SET share_secret = \(ByteBuffer(bytes: fresh)) WHERE id = \(workspace.uuid) AND share_secret IS NULL",
            logger: database.logger
        )
        let rows = try await database.client.query(
            "SELECT share_secret FROM workspaces WHERE id = \(workspace.uuid) AND share_secret IS NOT NULL",
            logger: database.logger
        )
        for try await secret in rows.decode(ByteBuffer.self) { return Array(secret.readableBytesView) }
        throw NotFoundError(kind: "workspace", id: workspace.description)
    }

    /// Replaces the workspace's share key: every link shared so far stops working.
    public func rotateShareSecret(_ workspace: WorkspaceID) async throws {
        try await database.client.query("UPDATE workspaces SET share_secret = NULL WHERE id = \(workspace.uuid)", logger: database.logger)
    }

    /// The slug of a workspace by id.
    public func slug(of workspace: WorkspaceID) async throws -> String {
        let rows = try await database.client.query("SELECT slug FROM workspaces WHERE id = \(workspace.uuid)", logger: database.logger)
        for try await slug in rows.decode(String.self) { return slug }
        throw NotFoundError(kind: "workspace", id: workspace.description)
    }
}
