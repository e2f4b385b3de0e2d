import Foundation
import HeraldCore
import PostgresNIO

/// What the back office's calendar shows of a workspace: publications scheduled or sent in a range, and the
/// schedules of active campaigns (whose fires in the range are worked out by the caller). Two queries per page,
/// however many posts: no query per row.
public struct CalendarStore: Sendable {
    let database: Database
    /// The workspace every query is scoped to.
    public let workspace: WorkspaceID

    public init(_ database: Database, workspace: WorkspaceID) {
        self.database = database
        self.workspace = workspace
    }

    /// A publication on the calendar.
    public struct Post: Sendable, Equatable {
        public var id: UUID
        /// When it went out (`publishedAt`) or is to go out (`scheduledAt`).
        public var at: Date
        public var state: String
        public var channel: String
        public var campaignSlug: String
        public var campaignName: String
        /// The connected account's name, when it goes through one.
        public var account: String?
    }

    /// A schedule of a scheduled or running campaign, with the campaign's names.
    public struct CampaignSchedule: Sendable, Equatable {
        public var id: UUID
        public var rule: String
        public var timeZone: String
        public var activeFrom: Date?
        public var activeUntil: Date?
        public var createdAt: Date
        /// Fires left before it stops (nil: no limit).
        public var firesLeft: Int?
        public var campaignSlug: String
        public var campaignName: String
        /// The campaign's channels (its fires post on each).
        public var channels: [String]
    }

    /// The publications sent (by `published_at`) or due (by `scheduled_at`) in `[start, end)`, oldest first, at most
    /// `limit`.
    public func posts(from start: Date, to end: Date, limit: Int = 5_000) async throws -> [Post] {
        let rows = try await database.client.query(
            """
            SELECT p.id, coalesce(p.published_at, p.scheduled_at) AS at, p.status, p.channel, c.slug, c.name, a.name
            FROM publications p
            JOIN campaigns c ON c.id = p.campaign_id
            LEFT JOIN accounts a ON a.id = p.account_id
            WHERE p.workspace_id = \(workspace.uuid)
              AND ((p.scheduled_at >= \(start) AND p.scheduled_at < \(end))
                   OR (p.published_at >= \(start) AND p.published_at < \(end)))
            ORDER BY at, p.id
            LIMIT \(min(max(limit, 1), 20_000))
            """,
            logger: database.logger
        )
        var posts: [Post] = []
        for try await (id, at, state, channel, slug, name, account) in rows.decode((UUID, Date, String, String, String, String, String?).self) {
            guard at >= start, at < end else { continue }
            posts.append(Post(id: id, at: at, state: state, channel: channel, campaignSlug: slug, campaignName: name, account: account))
        }
        return posts
    }

    /// The enabled schedules, with a next fire, of the workspace's scheduled and running campaigns.
    public func activeSchedules() async throws -> [CampaignSchedule] {
        let rows = try await database.client.query(
            """
            SELECT s.id, s.rule, s.tz, s.active_from, s.active_until, s.created_at,
                   CASE WHEN s.max_fires IS NULL THEN NULL ELSE greatest(s.max_fires - s.fire_count, 0) END,
                   c.slug, c.name,
                   coalesce((SELECT array_agg(ch.kind ORDER BY ch.position) FROM channels ch WHERE ch.campaign_id = c.id),
                            '{}'::text[])
            FROM schedules s
            JOIN campaigns c ON c.id = s.campaign_id
            WHERE s.workspace_id = \(workspace.uuid) AND s.enabled AND s.next_fire_at IS NOT NULL
              AND c.status IN ('scheduled', 'running')
            ORDER BY c.name, s.name
            """,
            logger: database.logger
        )
        var schedules: [CampaignSchedule] = []
        for try await (id, rule, tz, from, until, createdAt, left, slug, name, channels) in rows.decode(
            (UUID, String, String, Date?, Date?, Date, Int?, String, String, [String]).self
        ) {
            schedules.append(
                CampaignSchedule(
                    id: id,
                    rule: rule,
                    timeZone: tz,
                    activeFrom: from,
                    activeUntil: until,
                    createdAt: createdAt,
                    firesLeft: left,
                    campaignSlug: slug,
                    campaignName: name,
                    channels: channels
                )
            )
        }
        return schedules
    }
}
