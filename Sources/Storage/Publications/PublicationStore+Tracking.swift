import Foundation
import HeraldCore
import PostgresNIO

/// What a tracking code stands for: one publication of a variant on a channel.
public struct TrackingTarget: Sendable, Equatable {
    /// The publication of a tracking code; nil for an audience message's token.
    public var publication: UUID?
    public var workspace: WorkspaceID
    public var campaign: CampaignID
    public var campaignSlug: String
    public var variant: VariantID
    public var variantKey: String
    public var channel: String
    /// The campaign's configured destination, the only place its links redirect to.
    public var destination: String?
    /// The audience message of a recipient token (``RecipientToken``); nil for a publication's tracking code.
    public var message: UUID?
    /// When the message was accepted by its server, nil before (or for a publication): a hit within seconds of it is
    /// a scanner's.
    public var sentAt: Date?

    /// A link's publication with its campaign, variant and channel (as read from the database or a tracking spool).
    public init(
        publication: UUID?,
        workspace: WorkspaceID,
        campaign: CampaignID,
        campaignSlug: String,
        variant: VariantID,
        variantKey: String,
        channel: String,
        destination: String?,
        message: UUID? = nil,
        sentAt: Date? = nil
    ) {
        self.message = message
        self.sentAt = sentAt
        self.publication = publication
        self.workspace = workspace
        self.campaign = campaign
        self.campaignSlug = campaignSlug
        self.variant = variant
        self.variantKey = variantKey
        self.channel = channel
        self.destination = destination
    }
}

extension PublicationStore {
    /// The publication a tracking code belongs to, or nil for an unknown code.
    public func tracking(code: String) async throws -> TrackingTarget? {
        guard code.utf8.count <= 64 else { return nil }
        let rows = try await database.client.query(
            """
            SELECT p.id, p.workspace_id, p.campaign_id, c.slug, p.variant_id, v.key, p.channel, c.destination
            FROM publications p
            JOIN campaigns c ON c.id = p.campaign_id AND c.workspace_id = p.workspace_id
            JOIN variants v ON v.id = p.variant_id AND v.workspace_id = p.workspace_id
            WHERE p.tracking_code = \(code)
            """,
            logger: database.logger
        )
        for try await row in rows.decode((UUID, UUID, UUID, String, UUID, String, String, String?).self) {
            return TrackingTarget(
                publication: row.0,
                workspace: WorkspaceID(row.1),
                campaign: CampaignID(row.2),
                campaignSlug: row.3,
                variant: VariantID(row.4),
                variantKey: row.5,
                channel: row.6,
                destination: row.7
            )
        }
        return nil
    }

    /// The tracking targets of publications made after `since`, oldest first, at most `limit`, with when each was made:
    /// what a server loads ahead so that a link clicked for the first time during a database outage still redirects.
    /// Archived campaigns' links are left out (they are looked up when clicked).
    public func trackingTargets(createdAfter since: Date, limit: Int) async throws -> [(code: String, target: TrackingTarget, createdAt: Date)] {
        let rows = try await database.client.query(
            """
            SELECT p.tracking_code, p.created_at, p.id, p.workspace_id, p.campaign_id, c.slug, p.variant_id, v.key, p.channel, c.destination
            FROM publications p
            JOIN campaigns c ON c.id = p.campaign_id AND c.workspace_id = p.workspace_id
            JOIN variants v ON v.id = p.variant_id AND v.workspace_id = p.workspace_id
            WHERE p.created_at > \(since) AND c.status <> 'archived'
            ORDER BY p.created_at
            LIMIT \(limit)
            """,
            logger: database.logger
        )
        var targets: [(code: String, target: TrackingTarget, createdAt: Date)] = []
        for try await row in rows.decode((String, Date, UUID, UUID, UUID, String, UUID, String, String, String?).self) {
            let target = TrackingTarget(
                publication: row.2,
                workspace: WorkspaceID(row.3),
                campaign: CampaignID(row.4),
                campaignSlug: row.5,
                variant: VariantID(row.6),
                variantKey: row.7,
                channel: row.8,
                destination: row.9
            )
            targets.append((row.0, target, row.1))
        }
        return targets
    }
}
