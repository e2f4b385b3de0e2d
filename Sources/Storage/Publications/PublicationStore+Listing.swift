import Foundation
import HeraldCore
import PostgresNIO

extension PublicationStore {
    /// A publication with the names people know it by.
    public struct Listed: Sendable, Equatable {
        public var publication: Publication
        /// Its campaign's slug.
        public var campaignSlug: String
        /// Its variant's key.
        public var variantKey: String
        /// Whether its campaign is a dry run (nothing it publishes leaves Herald).
        public var dryRun: Bool
    }

    /// The campaign's publications in the workspace, newest scheduled first (at most `limit`).
    public func list(workspace: WorkspaceID, campaign: CampaignID, limit: Int = 500) async throws -> [Publication] {
        try await list(workspace: workspace, campaign: campaign, state: nil, limit: limit).map(\.publication)
    }

    /// The workspace's publications, newest scheduled first (at most `limit`), optionally of one campaign and in one state.
    public func list(workspace: WorkspaceID, campaign: CampaignID?, state: PublicationState?, limit: Int = 500) async throws -> [Listed] {
        let rows = try await database.client.query(
            """
            SELECT \(unescaped: Self.columns), c.slug, v.key, c.dry_run
            FROM publications p
            JOIN campaigns c ON c.id = p.campaign_id
            JOIN variants v ON v.id = p.variant_id
            WHERE p.workspace_id = \(workspace.uuid)
              AND (\(campaign?.uuid)::uuid IS NULL OR p.campaign_id = \(campaign?.uuid))
              AND (\(state?.rawValue)::text IS NULL OR p.status = \(state?.rawValue))
            ORDER BY p.scheduled_at DESC, p.id
            LIMIT \(min(max(limit, 1), 5_000))
            """,
            logger: database.logger
        )
        return try await Self.listed(rows)
    }

    /// How many of the campaign's publications are in each state (states with none left out).
    public func stateCounts(workspace: WorkspaceID, campaign: CampaignID) async throws -> [PublicationState: Int] {
        let rows = try await database.client.query(
            """
            SELECT status, count(*)::int FROM publications
            WHERE workspace_id = \(workspace.uuid) AND campaign_id = \(campaign.uuid)
            GROUP BY status
            """,
            logger: database.logger
        )
        var counts: [PublicationState: Int] = [:]
        for try await (state, count) in rows.decode((String, Int).self) {
            if let state = PublicationState(rawValue: state) { counts[state] = count }
        }
        return counts
    }

    /// One publication of the workspace with the names people know it by.
    ///
    /// - Throws: ``NotFoundError`` when the workspace has no publication with this id.
    public func listed(_ id: UUID, workspace: WorkspaceID) async throws -> Listed {
        let rows = try await database.client.query(
            """
            SELECT \(unescaped: Self.columns), c.slug, v.key, c.dry_run
            FROM publications p
            JOIN campaigns c ON c.id = p.campaign_id
            JOIN variants v ON v.id = p.variant_id
            WHERE p.workspace_id = \(workspace.uuid) AND p.id = \(id)
            """,
            logger: database.logger
        )
        if let found = try await Self.listed(rows).first { return found }
        throw NotFoundError(kind: "publication", id: id.uuidString.lowercased())
    }

    /// The rows of a query selecting ``columns``, then the campaign's slug, the variant's key and the campaign's dry run.
    static func listed(_ rows: PostgresRowSequence) async throws -> [Listed] {
        var listed: [Listed] = []
        for try await row in rows.decode(
            (
                UUID, UUID, UUID, UUID, String, Date, String, String, String, String, String?, String?, Double?, String?,
                UUID?, String?, String?, String?, Date?, String?, Int, String, String, Bool
            ).self
        ) {
            let publication = Self.publication(
                (
                    row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8, row.9, row.10, row.11, row.12, row.13,
                    row.14, row.15, row.16, row.17, row.18, row.19, row.20
                )
            )
            listed.append(Listed(publication: publication, campaignSlug: row.21, variantKey: row.22, dryRun: row.23))
        }
        return listed
    }
}
