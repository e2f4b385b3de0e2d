import Foundation
import HeraldCore
import PostgresNIO

/// Each contact's past engagement by local hour of the week, for sending at each contact's best hour
/// (see `ContactSendTime` in Analytics).
///
/// Engagement is what came back from the messages a contact received: `open` and `click` events that name the message
/// (`events.message_id` → `messages.contact_id`), never bot, scanner or mail-privacy-proxy traffic (`is_bot`), counted
/// in the contact's own time zone. A contact without a known time zone has no history here: it is sent at the
/// campaign's time.
public struct ContactEngagementHistory: Sendable {
    let database: Database
    /// The workspace every query is scoped to.
    public let workspace: WorkspaceID

    public init(_ database: Database, workspace: WorkspaceID) {
        self.database = database
        self.workspace = workspace
    }

    /// The engagement hours of each of `contacts` that has any, by contact id.
    ///
    /// - Parameters:
    ///   - contacts: The contacts (ids) to read, e.g. one batch of a campaign's fan-out.
    ///   - since: Only engagement at or after this instant (nil: all of it).
    /// - Returns: Per contact, its hours of the week with at least one engagement, in order; contacts without
    ///   engagement (or without a valid time zone) are absent.
    public func hours(of contacts: [UUID], since: Date? = nil) async throws -> [UUID: [EngagementHour]] {
        guard !contacts.isEmpty else { return [:] }
        let rows = try await database.client.query(
            """
            SELECT m.contact_id,
                   ((extract(isodow FROM e.occurred_at AT TIME ZONE ct.time_zone)::int - 1) * 24
                    + extract(hour FROM e.occurred_at AT TIME ZONE ct.time_zone)::int) AS hour_of_week,
                   count(*)::int
            FROM messages m
            JOIN contacts ct ON ct.id = m.contact_id AND ct.workspace_id = m.workspace_id
            JOIN events e ON e.message_id = m.id AND e.workspace_id = m.workspace_id
            WHERE m.workspace_id = \(workspace.uuid) AND m.contact_id = ANY(\(contacts)::uuid[])
              AND e.kind IN ('open', 'click') AND NOT e.is_bot
              AND e.occurred_at >= coalesce(\(since), '-infinity'::timestamptz)
              -- A zone PostgreSQL does not know would fail the whole batch: such a contact has no history instead.
              AND ct.time_zone IN (SELECT name FROM pg_timezone_names)
            GROUP BY 1, 2
            ORDER BY 1, 2
            """,
            logger: database.logger
        )
        var history: [UUID: [EngagementHour]] = [:]
        for try await (contact, hour, count) in rows.decode((UUID, Int, Int).self) {
            history[contact, default: []].append(EngagementHour(hourOfWeek: hour, count: count))
        }
        return history
    }
}
