import Foundation
import HeraldCore
import PostgresNIO

/// What collecting a published post's engagement needs to know about its publication.
public struct MetricsTarget: Sendable, Equatable {
    public var publication: UUID
    public var workspace: WorkspaceID
    public var campaign: CampaignID
    public var variant: VariantID
    public var channel: String
    /// scheduled, sending, published, failed, cancelled or dry_run: only a published post is read.
    public var status: String
    /// The account it was posted through.
    public var account: UUID?
    /// The platform's id, URL and (Bluesky) content id of the post.
    public var providerID: String?
    public var providerURL: String?
    public var providerCID: String?
    public var publishedAt: Date?
    /// The account's followers when it was published (its exposure where the platform gives no impressions).
    public var reach: Int?
}

extension PublicationStore {
    /// The publication as collecting its engagement sees it, or nil when there is none with `id`.
    public func metricsTarget(_ id: UUID) async throws -> MetricsTarget? {
        let rows = try await database.client.query(
            """
            SELECT p.id, p.workspace_id, p.campaign_id, p.variant_id, p.channel, p.status, p.account_id,
                   p.provider_id, p.provider_url, p.provider_cid, p.published_at, p.reach
            FROM publications p WHERE p.id = \(id)
            """,
            logger: database.logger
        )
        for try await row in rows.decode((UUID, UUID, UUID, UUID, String, String, UUID?, String?, String?, String?, Date?, Int?).self) {
            return MetricsTarget(
                publication: row.0,
                workspace: WorkspaceID(row.1),
                campaign: CampaignID(row.2),
                variant: VariantID(row.3),
                channel: row.4,
                status: row.5,
                account: row.6,
                providerID: row.7,
                providerURL: row.8,
                providerCID: row.9,
                publishedAt: row.10,
                reach: row.11
            )
        }
        return nil
    }

    /// Records the account's followers when the publication was published: the exposure of a post on a platform that
    /// gives no impressions. The first recorded reach stays (it is the reach at posting time).
    ///
    /// - Returns: The publication's reach as stored afterwards (nil when there is no such publication).
    @discardableResult
    public func setReach(_ id: UUID, followers: Int) async throws -> Int? {
        let rows = try await database.client.query(
            """
            UPDATE publications SET reach = coalesce(reach, \(max(0, followers))) WHERE id = \(id) RETURNING reach
            """,
            logger: database.logger
        )
        for try await reach in rows.decode(Int?.self) { return reach }
        return nil
    }
}
