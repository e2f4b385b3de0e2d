import Foundation
import HeraldCore
import HeraldTestSupport
import PostgresNIO
import Testing

@testable import Storage

/// Per-contact engagement hours in the contact's own time zone, from the events that name a message.
struct ContactEngagementHistoryTests {
    /// Monday 2026-03-02 08:00:00Z (09:00 in Berlin, 03:00 in New York).
    static let monday = Date(timeIntervalSince1970: 1_772_438_400)

    @Test func countsOpensAndClicksPerLocalHourOfWeekLeavingBotsAndOtherKindsOut() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let campaign = try await CampaignStore(database, workspace: workspace).create(
                try CampaignSpec(
                    name: "Letter",
                    channels: [.email],
                    variants: [.init(key: "A", text: "Hello", email: EmailContent(subject: "Hi", preheader: "", body: "Hello"))],
                    dryRun: true
                )
            )
            let variant = campaign.variants[0].id
            // MERGE: h-contacts' ContactStore and h-send's MessageStore write these rows; the test writes them as they would.
            var contacts: [String: UUID] = [:]
            for (name, zone) in [("berlin", "Europe/Berlin"), ("newyork", "America/New_York"), ("nozone", nil), ("mars", "Mars/Olympus")]
                as [(String, String?)]
            {
                let rows = try await database.client.query(
                    """
                    WITH c AS (
                        INSERT INTO contacts (workspace_id, email, time_zone) VALUES (\(workspace.uuid), \(name + "@example.com"), \(zone)) RETURNING id
                    )
                    INSERT INTO messages (workspace_id, campaign_id, variant_id, contact_id, channel, phase, send_at, idempotency_key)
                    SELECT \(workspace.uuid), \(campaign.id.uuid), \(variant.uuid), c.id, 'email', 'all', \(Self.monday), \(name) FROM c
                    RETURNING contact_id
                    """,
                    logger: TestDatabase.logger
                )
                for try await id in rows.decode(UUID.self) { contacts[name] = id }
            }
            // Per contact: two clicks at 08:00Z on Monday, one at 08:00Z a week later, an impression, and a bot click.
            var events: [(EngagementEvent, contact: String, open: Bool, bot: Bool)] = []
            for name in contacts.keys {
                for (offset, kind, open, bot) in [
                    (0.0, EventKind.click, false, false), (60, .click, true, false), (7 * 86_400, .click, false, false),
                    (120, .impression, false, false), (180, .click, false, true),
                ] as [(TimeInterval, EventKind, Bool, Bool)] {
                    let event = EngagementEvent(
                        id: EventID(UUID()),
                        variantID: variant,
                        kind: kind,
                        occurredAt: Self.monday.addingTimeInterval(offset)
                    )
                    events.append((event, name, open, bot))
                }
            }
            _ = try await EventIngestor(database, workspace: workspace).ingest(events.map(\.0))
            for (event, name, open, bot) in events {
                try await database.client.query(
                    """
                    UPDATE events SET message_id = (SELECT id FROM messages WHERE contact_id = \(contacts[name]!)),
                                      kind = CASE WHEN \(open) THEN 'open' ELSE kind END, is_bot = \(bot)
                    WHERE id = \(event.id.uuid)
                    """,
                    logger: TestDatabase.logger
                )
            }

            let history = ContactEngagementHistory(database, workspace: workspace)
            let hours = try await history.hours(of: Array(contacts.values))
            // Monday 09:00 in Berlin (hour 9), opens and clicks, three in all.
            #expect(hours[contacts["berlin"]!] == [EngagementHour(hourOfWeek: 9, count: 3)])
            // New York: 03:00 EST on March 2, but 04:00 EDT a week later (summer time began on March 8).
            #expect(hours[contacts["newyork"]!] == [EngagementHour(hourOfWeek: 3, count: 2), EngagementHour(hourOfWeek: 4, count: 1)])
            // Without a time zone, or with one PostgreSQL does not know, a contact has no history.
            #expect(hours[contacts["nozone"]!] == nil)
            #expect(hours[contacts["mars"]!] == nil)
            // Since a moment: only the later week.
            let recent = try await history.hours(of: [contacts["berlin"]!], since: Self.monday.addingTimeInterval(86_400))
            #expect(recent == [contacts["berlin"]!: [EngagementHour(hourOfWeek: 9, count: 1)]])
            #expect(try await history.hours(of: []).isEmpty)
            // Another workspace sees nothing.
            let other = try await WorkspaceStore(database).ensure(slug: "other")
            #expect(try await ContactEngagementHistory(database, workspace: other).hours(of: Array(contacts.values)).isEmpty)
        }
    }
}
