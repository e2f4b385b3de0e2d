import Foundation
import HeraldCore
import PostgresNIO

extension EngagementSnapshotStore {
    /// How fresh one channel's pulled-back counts are, over a campaign's published posts on it.
    public struct ChannelCollection: Sendable, Equatable {
        /// The channel (`mastodon`, `x`…).
        public var channel: String
        /// The campaign's posts on the channel's platform (published, with the platform's id).
        public var published: Int
        /// Of those, how many have their follower reach at posting time recorded.
        public var withReach: Int
        /// When the channel's most recent snapshot was taken; nil before the first.
        public var latestAt: Date?
        /// That snapshot's round.
        public var latestRound: Int?
    }

    /// Per channel of `channels`, how fresh the campaign's pulled-back counts are: channels with posts on a platform
    /// (published, with the platform's id; a dry run's posts have none), by name.
    public func collection(campaign: CampaignID, channels: [String]) async throws -> [ChannelCollection] {
        guard !channels.isEmpty else { return [] }
        let rows = try await database.client.query(
            """
            SELECT p.channel, count(*)::int, count(p.reach)::int, max(l.taken_at),
                   (array_agg(l.round ORDER BY l.taken_at DESC) FILTER (WHERE l.taken_at IS NOT NULL))[1]
            FROM publications p
            LEFT JOIN LATERAL (
                SELECT s.taken_at, s.round FROM engagement_snapshots s
                WHERE s.publication_id = p.id ORDER BY s.taken_at DESC LIMIT 1
            ) l ON true
            WHERE p.workspace_id = \(workspace.uuid) AND p.campaign_id = \(campaign.uuid) AND p.status = 'published'
              AND p.provider_id IS NOT NULL
              AND p.channel = ANY(\(channels)::text[])
            GROUP BY p.channel
            ORDER BY p.channel COLLATE "C"
            """,
            logger: database.logger
        )
        var collections: [ChannelCollection] = []
        for try await row in rows.decode((String, Int, Int, Date?, Int?).self) {
            collections.append(ChannelCollection(channel: row.0, published: row.1, withReach: row.2, latestAt: row.3, latestRound: row.4))
        }
        return collections
    }
}
