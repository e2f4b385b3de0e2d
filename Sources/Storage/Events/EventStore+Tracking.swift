import Foundation
import HeraldCore
import PostgresNIO

/// What a tracking code stands for: one publication of a variant on a channel.
public struct TrackingTarget: Sendable, Equatable {
    public var publication: UUID
    public var workspace: WorkspaceID
    public var campaign: CampaignID
    public var campaignSlug: String
    public var variant: VariantID
    public var variantKey: String
    public var channel: String
    /// The campaign's configured destination, the only place its links redirect to.
    public var destination: String?
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
                publication: row.0, workspace: WorkspaceID(row.1), campaign: CampaignID(row.2), campaignSlug: row.3,
                variant: VariantID(row.4), variantKey: row.5, channel: row.6, destination: row.7
            )
        }
        return nil
    }
}

extension EventStore {
    /// The campaign of each id among `candidates` that is a variant of this workspace (one lookup for a whole batch).
    public func campaigns(among candidates: Set<VariantID>) async throws -> [VariantID: CampaignID] {
        guard !candidates.isEmpty else { return [:] }
        let rows = try await database.client.query(
            "SELECT id, campaign_id FROM variants WHERE workspace_id = \(workspace.uuid) AND id = ANY(\(candidates.map(\.uuid))::uuid[])",
            logger: database.logger
        )
        var campaigns: [VariantID: CampaignID] = [:]
        for try await (variant, campaign) in rows.decode((UUID, UUID).self) { campaigns[VariantID(variant)] = CampaignID(campaign) }
        return campaigns
    }

    /// Records one engagement from a tracking link or pixel, committed when this returns.
    ///
    /// A bot's hit is stored with `is_bot` for audit and left out of the rollups that analysis reads.
    public func recordTracked(_ target: TrackingTarget, kind: EventKind, at time: Date, isBot: Bool) async throws {
        let event = EngagementEvent(id: EventID(UUID()), variantID: target.variant, kind: kind, occurredAt: time)
        do {
            try await insertTracked(event, target: target, isBot: isBot)
        } catch where StorageError.sqlState(error) == "23514" {
            // No partition for this month (the service creates them ahead; this is the fallback). Forget
            // what the process knew first: the partition may have been dropped after it was made.
            forgetPartitions()
            try await ensurePartitions(covering: [time])
            try await insertTracked(event, target: target, isBot: isBot)
        }
    }

    private func insertTracked(_ event: EngagementEvent, target: TrackingTarget, isBot: Bool) async throws {
        try await database.client.query(
            """
            WITH claimed AS (
                INSERT INTO event_ids (id, workspace_id) VALUES (\(event.id.uuid), \(target.workspace.uuid)) RETURNING id
            ), stored AS (
                INSERT INTO events (id, workspace_id, campaign_id, variant_id, kind, occurred_at, is_bot)
                SELECT id, \(target.workspace.uuid), \(target.campaign.uuid), \(target.variant.uuid), \(event.kind.rawValue),
                       \(event.occurredAt), \(isBot)
                FROM claimed
                RETURNING occurred_at
            )
            INSERT INTO variant_hourly AS h (workspace_id, campaign_id, variant_id, hour, kind, count)
            SELECT \(target.workspace.uuid), \(target.campaign.uuid), \(target.variant.uuid),
                   date_trunc('hour', occurred_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', \(event.kind.rawValue), 1
            FROM stored WHERE NOT \(isBot)
            ON CONFLICT (variant_id, hour, kind) DO UPDATE SET count = h.count + 1
            """,
            logger: database.logger
        )
    }

    /// Creates this month's and next month's event partitions (the service runs this daily).
    public func ensureCurrentPartitions(now: Date) async throws {
        try await ensurePartitions(covering: [now])
    }

    /// How many bot hits were recorded for the campaign (kept out of analysis).
    public func botEvents(campaign: CampaignID) async throws -> Int {
        let rows = try await database.client.query(
            "SELECT count(*)::bigint FROM events WHERE workspace_id = \(workspace.uuid) AND campaign_id = \(campaign.uuid) AND is_bot",
            logger: database.logger
        )
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}
