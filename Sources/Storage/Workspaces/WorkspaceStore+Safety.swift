import Foundation
import HeraldCore
import PostgresNIO

extension WorkspaceStore {
    /// The workspace's banned words and required disclosures.
    public func safety(of workspace: WorkspaceID) async throws -> (bannedWords: [String], requiredDisclosures: [String]) {
        let rows = try await database.client.query(
            "SELECT banned_words, required_disclosures FROM workspaces WHERE id = \(workspace.uuid)",
            logger: database.logger
        )
        for try await (banned, disclosures) in rows.decode(([String], [String]).self) { return (banned, disclosures) }
        throw NotFoundError(kind: "workspace", id: workspace.description)
    }

    /// Replaces the workspace's banned words and required disclosures.
    public func setSafety(of workspace: WorkspaceID, bannedWords: [String], requiredDisclosures: [String]) async throws {
        let clean = { (values: [String]) in values.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        try await database.client.query(
            """
            UPDATE workspaces SET banned_words = \(clean(bannedWords)), required_disclosures = \(clean(requiredDisclosures))
            WHERE id = \(workspace.uuid)
            """,
            logger: database.logger
        )
    }
}
