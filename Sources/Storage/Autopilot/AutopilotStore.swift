import Foundation
import HeraldCore
import Logging
import PostgresNIO

/// A campaign's autopilot: its mode and guard rails, the allocation periods its changes of split open, and every action
/// it planned with its state (pending, applied, dismissed, undone), who decided and what undoing restores.
public struct AutopilotStore: Sendable {
    public let database: Database
    public let workspace: WorkspaceID

    public init(_ database: Database, workspace: WorkspaceID) {
        self.database = database
        self.workspace = workspace
    }

    /// A campaign's autopilot mode (`off`, `suggest`, `auto`) and its guard rails as stored (JSON, `{}` for defaults).
    public struct Settings: Sendable, Equatable {
        public var mode: String
        public var railsJSON: String
    }

    public func settings(campaign: CampaignID) async throws -> Settings {
        let rows = try await database.client.query(
            "SELECT autopilot_mode, autopilot_rails::text FROM campaigns WHERE workspace_id = \(workspace.uuid) AND id = \(campaign.uuid)",
            logger: database.logger
        )
        for try await (mode, rails) in rows.decode((String, String).self) { return Settings(mode: mode, railsJSON: rails) }
        throw NotFoundError(kind: "campaign", id: campaign.description)
    }

    /// Sets the mode, and the guard rails when given (checked by the caller; stored as given).
    public func setSettings(campaign: CampaignID, mode: String, railsJSON: String?) async throws {
        let rows = try await database.client.query(
            """
            UPDATE campaigns SET autopilot_mode = \(mode), autopilot_rails = coalesce(\(railsJSON)::jsonb, autopilot_rails)
            WHERE workspace_id = \(workspace.uuid) AND id = \(campaign.uuid) RETURNING 1
            """,
            logger: database.logger
        )
        for try await _ in rows.decode(Int.self) { return }
        throw NotFoundError(kind: "campaign", id: campaign.description)
    }

    // MARK: Allocation periods

    /// A stretch of time with one split: each change of split opens the next.
    public struct Period: Sendable, Equatable {
        public var number: Int
        public var startedAt: Date
        /// Variant key → share of upcoming sends.
        public var weights: [String: Double]
        public var reason: String
    }

    /// The campaign's periods, oldest first (none until the split first changes).
    public func periods(campaign: CampaignID) async throws -> [Period] {
        let rows = try await database.client.query(
            """
            SELECT number, started_at, weights::text, reason FROM allocation_periods
            WHERE workspace_id = \(workspace.uuid) AND campaign_id = \(campaign.uuid) ORDER BY number
            """,
            logger: database.logger
        )
        var periods: [Period] = []
        for try await (number, started, weights, reason) in rows.decode((Int, Date, String, String).self) {
            let decoded = (try? JSONDecoder().decode([String: Double].self, from: Data(weights.utf8))) ?? [:]
            periods.append(Period(number: number, startedAt: started, weights: decoded, reason: reason))
        }
        return periods
    }

    /// Impressions per variant key counted from `since` (whole hours from the first full hour at or after it), for the
    /// sample-ratio check of the current period.
    public func impressions(campaign: CampaignID, since: Date) async throws -> [String: Int] {
        let hour = (since.timeIntervalSince1970 / 3_600).rounded(.up) * 3_600
        let rows = try await database.client.query(
            """
            SELECT v.key, coalesce(sum(h.count), 0)::bigint
            FROM variants v
            LEFT JOIN variant_hourly h ON h.variant_id = v.id AND h.workspace_id = v.workspace_id AND h.kind = 'impression'
                                      AND h.hour >= \(Date(timeIntervalSince1970: hour))
            WHERE v.workspace_id = \(workspace.uuid) AND v.campaign_id = \(campaign.uuid)
            GROUP BY v.key
            """,
            logger: database.logger
        )
        var counts: [String: Int] = [:]
        for try await (key, count) in rows.decode((String, Int).self) { counts[key] = count }
        return counts
    }

    /// Published posts per variant key scheduled from `since`, for the sample-ratio check of a campaign whose channels
    /// carry one variant per post (every follower sees the same post, so its impressions come in one lump and only the
    /// posts are independent assignments).
    public func posts(campaign: CampaignID, since: Date) async throws -> [String: Int] {
        let rows = try await database.client.query(
            """
            SELECT v.key, count(p.id)::bigint
            FROM variants v
            LEFT JOIN publications p ON p.variant_id = v.id AND p.status = 'published' AND p.scheduled_at >= \(since)
            WHERE v.workspace_id = \(workspace.uuid) AND v.campaign_id = \(campaign.uuid)
            GROUP BY v.key
            """,
            logger: database.logger
        )
        var counts: [String: Int] = [:]
        for try await (key, count) in rows.decode((String, Int).self) { counts[key] = count }
        return counts
    }

    /// What the sample-ratio check counts from `since`: posts for a campaign without an audience channel once it has
    /// published any (see ``posts(campaign:since:)``), impressions otherwise.
    public func assignments(campaign: Campaign, since: Date) async throws -> [String: Int] {
        if campaign.audienceChannel == nil {
            let posts = try await posts(campaign: campaign.id, since: .distantPast)
            if posts.values.contains(where: { $0 > 0 }) {
                return since == .distantPast ? posts : try await self.posts(campaign: campaign.id, since: since)
            }
        }
        return try await impressions(campaign: campaign.id, since: since)
    }

    // MARK: Actions

    /// One action autopilot planned.
    public struct Action: Sendable, Equatable, Codable {
        public var id: UUID
        public var campaign: CampaignID
        public var analysis: UUID
        public var createdAt: Date
        /// declare_winner, stop_arm, set_split, send_winner_to_rest, queue_challenger, move_schedule.
        public var kind: String
        /// The action as JSON (its kind, arm, split or hours, and reason).
        public var actionJSON: String
        public var reason: String
        /// pending, applied, dismissed, undone.
        public var state: String
        public var decidedBy: String?
        public var decidedAt: Date?
        /// What undoing restores, once applied.
        public var undoJSON: String?
        public var undoneBy: String?
        public var undoneAt: Date?

        enum CodingKeys: String, CodingKey {
            case id, campaign, analysis, kind, reason, state
            case createdAt = "created_at"
            case actionJSON = "action"
            case decidedBy = "decided_by"
            case decidedAt = "decided_at"
            case undoJSON = "undo"
            case undoneBy = "undone_by"
            case undoneAt = "undone_at"
        }
    }

    /// What to record of a plan: each action's kind, JSON and reason, in order.
    public struct Planned: Sendable {
        public var kind: String
        public var json: String
        public var reason: String

        public init(kind: String, json: String, reason: String) {
            self.kind = kind
            self.json = json
            self.reason = reason
        }
    }

    /// Records the plan of one analysis as pending; a plan already recorded for it records nothing again.
    ///
    /// - Returns: The actions recorded now, in plan order.
    public func record(_ plan: [Planned], campaign: CampaignID, analysis: UUID, at now: Date) async throws -> [Action] {
        guard !plan.isEmpty else { return [] }
        let rows = try await database.client.query(
            Self.recordQuery(plan, workspace: workspace, campaign: campaign, analysis: analysis, at: now),
            logger: database.logger
        )
        var ids: [UUID] = []
        for try await id in rows.decode(UUID.self) { ids.append(id) }
        return try await actions(campaign: campaign).filter { ids.contains($0.id) }.reversed()
    }

    /// The statement that records `plan` as pending (returning the new actions' ids), so the analysis that made the plan
    /// can commit it in its own transaction; a plan already recorded for the analysis records nothing again.
    public static func recordQuery(_ plan: [Planned], workspace: WorkspaceID, campaign: CampaignID, analysis: UUID, at now: Date) -> PostgresQuery {
        """
        INSERT INTO autopilot_actions (workspace_id, campaign_id, analysis_id, position, created_at, kind, action, reason, state)
        SELECT \(workspace.uuid), \(campaign.uuid), \(analysis), p.position, \(now), p.kind, p.action::jsonb, p.reason, 'pending'
        FROM unnest(\(Array(plan.indices))::int[], \(plan.map(\.kind))::text[], \(plan.map(\.json))::text[], \(plan.map(\.reason))::text[])
             AS p(position, kind, action, reason)
        ON CONFLICT (analysis_id, position) DO NOTHING
        RETURNING id
        """
    }

    /// The campaign's actions, newest first (`state` filters).
    public func actions(campaign: CampaignID, state: String? = nil) async throws -> [Action] {
        let rows = try await database.client.query(
            """
            SELECT id, campaign_id, analysis_id, created_at, kind, action::text, reason, state, decided_by, decided_at, undo::text,
                   undone_by, undone_at
            FROM autopilot_actions
            WHERE workspace_id = \(workspace.uuid) AND campaign_id = \(campaign.uuid) AND (\(state)::text IS NULL OR state = \(state))
            ORDER BY created_at DESC, position DESC
            """,
            logger: database.logger
        )
        return try await Self.decode(rows)
    }

    /// One action of the workspace.
    public func action(_ id: UUID) async throws -> Action {
        let rows = try await database.client.query(
            """
            SELECT id, campaign_id, analysis_id, created_at, kind, action::text, reason, state, decided_by, decided_at, undo::text,
                   undone_by, undone_at
            FROM autopilot_actions WHERE workspace_id = \(workspace.uuid) AND id = \(id)
            """,
            logger: database.logger
        )
        guard let found = try await Self.decode(rows).first else {
            throw NotFoundError(kind: "autopilot action", id: id.uuidString.lowercased())
        }
        return found
    }

    static func decode(_ rows: PostgresRowSequence) async throws -> [Action] {
        var found: [Action] = []
        for try await row in rows.decode((UUID, UUID, UUID, Date, String, String, String, String, String?, Date?, String?, String?, Date?).self) {
            found.append(
                Action(
                    id: row.0,
                    campaign: CampaignID(row.1),
                    analysis: row.2,
                    createdAt: row.3,
                    kind: row.4,
                    actionJSON: row.5,
                    reason: row.6,
                    state: row.7,
                    decidedBy: row.8,
                    decidedAt: row.9,
                    undoJSON: row.10,
                    undoneBy: row.11,
                    undoneAt: row.12
                )
            )
        }
        return found
    }

    /// How many challengers autopilot queued for the campaign (applied, not undone).
    public func challengersQueued(campaign: CampaignID) async throws -> Int {
        let rows = try await database.client.query(
            """
            SELECT count(*)::int FROM autopilot_actions
            WHERE workspace_id = \(workspace.uuid) AND campaign_id = \(campaign.uuid) AND kind = 'queue_challenger' AND state = 'applied'
            """,
            logger: database.logger
        )
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}

extension AutopilotStore {
    /// A campaign's autopilot as the CLI (`--json`) and the API show it: mode, guard rails, periods and actions.
    public struct Overview: Sendable, Encodable {
        public var campaign: String
        public var mode: String
        public var rails: GuardRails
        public var periods: [Period]
        public var actions: [Action]
    }

    /// The overview of `campaign` (its slug is shown).
    public func overview(campaign: CampaignID, slug: String) async throws -> Overview {
        let settings = try await settings(campaign: campaign)
        return Overview(
            campaign: slug,
            mode: settings.mode,
            rails: try JSONDecoder().decode(GuardRails.self, from: Data(settings.railsJSON.utf8)),
            periods: try await periods(campaign: campaign),
            actions: try await actions(campaign: campaign)
        )
    }
}

extension AutopilotStore.Period: Encodable {
    enum CodingKeys: String, CodingKey {
        case number, weights, reason
        case startedAt = "started_at"
    }
}
