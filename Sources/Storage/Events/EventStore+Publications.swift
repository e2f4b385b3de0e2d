import Foundation
import HeraldCore
import PostgresNIO

extension EventStore {
    /// The publications of this workspace that incoming events may name, with their variant and channel, and the keys
    /// of the variants errors may name: one lookup for a whole batch.
    ///
    /// - Parameters:
    ///   - candidates: The publication ids the batch names, or nil for every publication of the workspace (a CSV
    ///     file is checked as it is read).
    ///   - variants: The variants whose keys errors may name (nil: every variant of the workspace).
    public func publications(among candidates: Set<UUID>?, variants: Set<VariantID>?) async throws -> EventPublications {
        if let candidates, candidates.isEmpty { return .none }
        let ids = candidates.map(Array.init)
        let rows = try await database.client.query(
            """
            SELECT p.id, p.variant_id, p.channel FROM publications p
            WHERE p.workspace_id = \(workspace.uuid) AND (\(ids)::uuid[] IS NULL OR p.id = ANY(\(ids)::uuid[]))
            """,
            logger: database.logger
        )
        var byID: [UUID: EventPublications.Publication] = [:]
        for try await (id, variant, channel) in rows.decode((UUID, UUID, String).self) {
            byID[id] = .init(variant: VariantID(variant), channel: channel)
        }
        let named = variants.map { Array($0.union(byID.values.map(\.variant)).map(\.uuid)) }
        let keyRows = try await database.client.query(
            """
            SELECT id, key FROM variants
            WHERE workspace_id = \(workspace.uuid) AND (\(named)::uuid[] IS NULL OR id = ANY(\(named)::uuid[]))
            """,
            logger: database.logger
        )
        var keys: [VariantID: String] = [:]
        for try await (id, key) in keyRows.decode((UUID, String).self) { keys[VariantID(id)] = key }
        return EventPublications(byID, variantKeys: keys)
    }
}
