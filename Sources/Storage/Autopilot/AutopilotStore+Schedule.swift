import Foundation
import HeraldCore
import Logging
import PostgresNIO

extension AutopilotStore {
    /// A move of a campaign's posting schedule from one cron rule to another, in the same zone and active window.
    public struct ScheduleMove: Sendable {
        /// The rule the move was planned from: a schedule that differs now (a person edited it) is not moved.
        public var from: String
        /// The rule the campaign fires on after the move.
        public var to: String
        /// The zone both rules are read in (the campaign's; a schedule in another zone now is not moved).
        public var timeZone: String
        /// The first fire of the campaign's stored schedule with a rule (the window is the stored one), after the move.
        public var nextFire: @Sendable (StoredSchedule) throws -> Date?
        /// More for the audit record (the hours of the week before and after).
        public var details: [String: JSONValue]

        public init(
            from: String,
            to: String,
            timeZone: String,
            details: [String: JSONValue] = [:],
            nextFire: @escaping @Sendable (StoredSchedule) throws -> Date?
        ) {
            self.from = from
            self.to = to
            self.timeZone = timeZone
            self.details = details
            self.nextFire = nextFire
        }
    }

    /// What undoing a schedule move needs, as kept in the action's `undo` record.
    struct ScheduleUndo: Codable {
        var from: String
        var to: String
        var tz: String
    }

    /// Moves the campaign's schedule as `move` says, on `connection` (inside the caller's transaction): the campaign's
    /// `schedule` and its `campaign:<slug>` stored schedule get the new rule, the stored schedule's next fire is
    /// computed again, and fires before `now` are never made up; the zone, the active window and the fire count stay.
    /// The audit log records it as `schedule.edit` with the rule before and after, the action, its analysis and reason.
    ///
    /// - Throws: ``ConflictError`` when the campaign's schedule is not `move.from` in `move.timeZone` any more (a person
    ///   changed it: their change is never overwritten) or the campaign has no stored schedule. `undoing` words the
    ///   refusal for an undo.
    static func moveSchedule(
        _ move: ScheduleMove,
        campaign: UUID,
        action: UUID,
        analysis: UUID,
        reason: String,
        undoing: Bool = false,
        actor: AuditActor,
        workspace: WorkspaceID,
        at now: Date,
        connection: PostgresConnection,
        logger: Logger
    ) async throws {
        let rows = try await connection.query(
            "SELECT slug, schedule::text FROM campaigns WHERE workspace_id = \(workspace.uuid) AND id = \(campaign) FOR UPDATE",
            logger: logger
        )
        var found: (String, String?)?
        for try await row in rows.decode((String, String?).self) { found = row }
        guard let (slug, specJSON) = found else { throw NotFoundError(kind: "campaign", id: campaign.uuidString.lowercased()) }
        guard let specJSON, var spec = try? JSONDecoder().decode(CampaignSpec.Schedule.self, from: Data(specJSON.utf8)) else {
            throw ConflictError("campaign \(slug) has no schedule any more: there is nothing to move")
        }
        guard spec.cron == move.from, spec.tz == move.timeZone else {
            throw ConflictError(
                "campaign \(slug)'s schedule changed since autopilot \(undoing ? "moved it" : "planned this move") (it is \"\(spec.cron)\" in \(spec.tz), "
                    + "not \"\(move.from)\" in \(move.timeZone)): a person's change is never overwritten; "
                    + (undoing ? "set the schedule by hand instead" : "dismiss this, and the next analysis plans from the schedule as it is")
            )
        }
        let name = "campaign:" + slug
        let stored = try await ScheduleStore.decode(
            try await connection.query(
                """
                SELECT \(unescaped: ScheduleStore.columns) FROM schedules
                WHERE workspace_id = \(workspace.uuid) AND campaign_id = \(campaign) AND name = \(name) FOR UPDATE
                """,
                logger: logger
            )
        )
        guard var schedule = stored.first else {
            throw ConflictError("campaign \(slug) has no stored schedule (\(name)): there is nothing to move")
        }
        schedule.rule = move.to
        let next = try move.nextFire(schedule)
        spec.cron = move.to
        let json = String(decoding: try JSONEncoder().encode(spec), as: UTF8.self)
        try await connection.execute(
            "UPDATE campaigns SET schedule = \(json)::jsonb WHERE workspace_id = \(workspace.uuid) AND id = \(campaign)",
            logger: logger
        )
        // Fires of the new rule before now were never due: the last fire considered is now at the latest.
        try await connection.execute(
            """
            UPDATE schedules SET rule = \(move.to), next_fire_at = \(next), last_fire_at = greatest(last_fire_at, \(now))
            WHERE id = \(schedule.id)
            """,
            logger: logger
        )
        var details = move.details
        details["cron"] = .string(move.to)
        details["previous_cron"] = .string(move.from)
        details["tz"] = .string(move.timeZone)
        details["autopilot_action"] = .string(action.uuidString.lowercased())
        details["analysis"] = .string(analysis.uuidString.lowercased())
        details["reason"] = .string(reason)
        try await AuditLog.record(
            "schedule.edit",
            subjectKind: "campaign",
            subjectID: campaign.uuidString.lowercased(),
            details: details,
            actor: actor,
            workspace: workspace,
            on: connection,
            logger: logger
        )
    }
}
