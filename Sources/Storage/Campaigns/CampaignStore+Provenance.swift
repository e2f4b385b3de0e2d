import Foundation
import HeraldCore
import PostgresNIO

extension CampaignStore {
    /// Where a variant's content came from, as the back office shows it beside the text.
    public struct Provenance: Sendable, Equatable {
        public var variant: VariantID
        /// `rules/en`, `llm:<model>`, `manual`, `stored`...
        public var generator: String
        /// ``AuditActor/reference`` of who wrote the current content (nil: a generator wrote it).
        public var writtenBy: String?
        /// The variant it was derived from (a challenger's leader), if any.
        public var parent: VariantID?
        /// The content features the generator measured, as stored (a JSON object; `{}` for hand-written variants).
        public var featuresJSON: String
        /// The revision of the content (1, then one more per edit).
        public var revision: Int
    }

    /// The provenance of each of the campaign's variants, in variant order.
    public func provenance(of campaign: CampaignID) async throws -> [Provenance] {
        let rows = try await database.client.query(
            """
            SELECT id, generator, written_by, parent_id, features::text, revision FROM variants
            WHERE workspace_id = \(workspace.uuid) AND campaign_id = \(campaign.uuid)
            ORDER BY position
            """,
            logger: database.logger
        )
        var found: [Provenance] = []
        for try await (id, generator, writtenBy, parent, features, revision) in rows.decode((UUID, String, String?, UUID?, String, Int).self) {
            found.append(
                Provenance(
                    variant: VariantID(id),
                    generator: generator,
                    writtenBy: writtenBy,
                    parent: parent.map { VariantID($0) },
                    featuresJSON: features,
                    revision: revision
                )
            )
        }
        return found
    }
}
