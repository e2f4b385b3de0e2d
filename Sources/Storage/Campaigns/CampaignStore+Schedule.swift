import Foundation
import HeraldCore
import PostgresNIO

extension CampaignStore {
    /// A campaign's publication schedule as the back office edits it: the rule, its zone and its active window.
    public struct ScheduleEdit: Sendable {
        /// The validated rule and zone, with the first fire after `now` (see ``ScheduleAttachment``).
        public var attachment: ScheduleAttachment
        /// No fire before this instant; nil: from now.
        public var activeFrom: Date?
        /// No fire after this instant; nil: no end.
        public var activeUntil: Date?

        public init(attachment: ScheduleAttachment, activeFrom: Date?, activeUntil: Date?) {
            self.attachment = attachment
            self.activeFrom = activeFrom
            self.activeUntil = activeUntil
        }
    }

    /// Replaces the campaign's publication schedule (the `campaign:<slug>` schedule and the campaign's `schedule`),
    /// in one transaction with its audit record (`schedule.edit`).
    ///
    /// The schedule is created when the campaign had none; it fires only while the campaign is scheduled or running
    /// (a draft's or paused campaign's schedule waits, disabled). The fire count is kept, so `count` still holds.
    ///
    /// - Throws: ``NotFoundError`` when the workspace has no such campaign.
    public func setSchedule(_ id: CampaignID, _ edit: ScheduleEdit, actor: AuditActor) async throws -> Campaign {
        let campaign = try await find(id)
        var spec = campaign.schedule ?? CampaignSpec.Schedule(cron: edit.attachment.rule, tz: edit.attachment.timeZone)
        spec.cron = edit.attachment.rule
        spec.tz = edit.attachment.timeZone
        spec.until = edit.activeUntil
        let json = String(decoding: try JSONEncoder().encode(spec), as: UTF8.self)
        let enabled = campaign.status == .scheduled || campaign.status == .running
        let name = "campaign:" + campaign.slug
        let job = EncodedJobPayload(PublishCampaignPayload(campaign: id, workspace: workspace))
        let logger = database.logger
        try await database.transaction { connection in
            try await connection.execute(
                "UPDATE campaigns SET schedule = \(json)::jsonb WHERE id = \(id.uuid) AND workspace_id = \(workspace.uuid)",
                logger: logger
            )
            let updated = try await connection.query(
                """
                UPDATE schedules SET rule = \(edit.attachment.rule), tz = \(edit.attachment.timeZone),
                    active_from = \(edit.activeFrom), active_until = \(edit.activeUntil), next_fire_at = \(edit.attachment.nextFireAt)
                WHERE campaign_id = \(id.uuid) AND workspace_id = \(workspace.uuid) AND name = \(name)
                RETURNING id
                """,
                logger: logger
            )
            var found = false
            for try await _ in updated.decode(UUID.self) { found = true }
            if !found {
                try await connection.execute(
                    """
                    INSERT INTO schedules (workspace_id, campaign_id, name, rule, tz, job_kind, job_payload, next_fire_at, created_at,
                                           active_from, active_until, max_fires, enabled)
                    VALUES (\(workspace.uuid), \(id.uuid), \(name), \(edit.attachment.rule), \(edit.attachment.timeZone),
                            \(job.kind.rawValue), \(job.json)::jsonb, \(edit.attachment.nextFireAt), \(edit.attachment.now),
                            \(edit.activeFrom), \(edit.activeUntil), \(spec.count), \(enabled))
                    """,
                    logger: logger
                )
            }
            var details: [String: JSONValue] = ["cron": .string(edit.attachment.rule), "tz": .string(edit.attachment.timeZone)]
            if let from = edit.activeFrom { details["active_from"] = .string(Timestamp.format(from)) }
            if let until = edit.activeUntil { details["active_until"] = .string(Timestamp.format(until)) }
            try await AuditLog.record(
                "schedule.edit",
                subjectKind: "campaign",
                subjectID: id.uuid.uuidString.lowercased(),
                details: details,
                actor: actor,
                workspace: workspace,
                on: connection,
                logger: logger
            )
        }
        return try await find(id)
    }
}
