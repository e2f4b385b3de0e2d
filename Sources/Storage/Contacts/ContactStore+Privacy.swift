import Foundation
import HeraldCore
import PostgresNIO

extension ContactStore {
    /// Everything held about the person with this address: the contact, its lists, its consent history, its messages
    /// and their engagement, and whether the address is suppressed.
    ///
    /// - Throws: ``NotFoundError`` when the workspace has no contact with that address.
    public func export(workspace: WorkspaceID, address: ContactAddress) async throws -> ContactExport {
        guard let contact = try await contact(workspace: workspace, address: address) else {
            throw NotFoundError(kind: "contact", id: address.normalized)
        }
        let logger = database.logger
        let client = database.client
        var lists: [String] = []
        for try await name in try await client.query(
            """
            SELECT l.name FROM contact_list_members m JOIN contact_lists l ON l.id = m.list_id
            WHERE m.contact_id = \(contact.id) ORDER BY l.name
            """,
            logger: logger
        ).decode(String.self) {
            lists.append(name)
        }
        var history: [ConsentChange] = []
        for try await (at, state, source, detail) in try await client.query(
            "SELECT at, state, source, detail FROM consent_changes WHERE contact_id = \(contact.id) ORDER BY at, state",
            logger: logger
        ).decode((Date, String, String, String?).self) {
            history.append(ConsentChange(at: at, state: ConsentState(rawValue: state) ?? .unsubscribed, source: source, detail: detail))
        }
        var messages: [ContactExport.Message] = []
        for try await (id, campaign, variant, channel, phase, state, sendAt, sentAt, error) in try await client.query(
            """
            SELECT m.id, c.slug, v.key, m.channel, m.phase, m.state, m.send_at, m.sent_at, m.error
            FROM messages m JOIN campaigns c ON c.id = m.campaign_id LEFT JOIN variants v ON v.id = m.variant_id
            WHERE m.contact_id = \(contact.id) AND m.workspace_id = \(workspace.uuid) ORDER BY m.send_at, m.id
            """,
            logger: logger
        ).decode((UUID, String, String?, String, String, String, Date, Date?, String?).self) {
            messages.append(
                ContactExport.Message(
                    id: id,
                    campaign: campaign,
                    variant: variant,
                    channel: channel,
                    phase: phase,
                    state: state,
                    sendAt: sendAt,
                    sentAt: sentAt,
                    error: error
                )
            )
        }
        var events: [ContactExport.Event] = []
        for try await (id, message, kind, occurredAt) in try await client.query(
            """
            SELECT e.id, e.message_id, e.kind, e.occurred_at FROM events e JOIN messages m ON m.id = e.message_id
            WHERE m.contact_id = \(contact.id) AND e.workspace_id = \(workspace.uuid) ORDER BY e.occurred_at, e.id
            """,
            logger: logger
        ).decode((UUID, UUID, String, Date).self) {
            events.append(ContactExport.Event(id: id, messageID: message, kind: kind, occurredAt: occurredAt))
        }
        return ContactExport(
            contact: contact,
            lists: lists,
            consentHistory: history,
            messages: messages,
            events: events,
            suppressed: try await isSuppressed(workspace: workspace, address: address)
        )
    }

    /// Erases the person with this address: the contact, its consent history and list memberships are deleted; its
    /// messages stay only as anonymous counts (no longer linked to anyone, their error text and provider id cleared,
    /// as is any other message's error text that names the address), and their events stay linked only to those.
    /// Suppression digests stay, so an erased person who had unsubscribed or bounced is never written to again, even
    /// when imported again.
    ///
    /// - Throws: ``NotFoundError`` when the workspace has no contact with that address.
    public func erase(workspace: WorkspaceID, address: ContactAddress) async throws -> ContactErasure {
        let logger = database.logger
        let column = Self.addressColumn(address)
        let erasure: ContactErasure = try await database.transaction { connection in
            let found = try await connection.query(
                """
                SELECT c.id, c.email, c.phone,
                       (SELECT count(*)::int FROM consent_changes WHERE contact_id = c.id),
                       (SELECT count(*)::int FROM contact_list_members WHERE contact_id = c.id),
                       (SELECT count(*)::int FROM messages WHERE contact_id = c.id),
                       (SELECT count(*)::int FROM events e JOIN messages m ON m.id = e.message_id WHERE m.contact_id = c.id),
                       EXISTS (SELECT 1 FROM suppressed_addresses s
                               WHERE s.workspace_id = c.workspace_id AND (s.digest = c.email_digest OR s.digest = c.phone_digest))
                FROM contacts c WHERE c.workspace_id = \(workspace.uuid) AND \(unescaped: column) = \(address.normalized)
                FOR UPDATE
                """,
                logger: logger
            )
            var erasure: ContactErasure?
            var addresses: [String] = []
            for try await (id, email, phone, changes, memberships, messages, events, suppressed) in found.decode(
                (UUID, String?, String?, Int, Int, Int, Int, Bool).self
            ) {
                erasure = ContactErasure(
                    contact: id,
                    consentChanges: changes,
                    listMemberships: memberships,
                    messagesAnonymized: messages,
                    eventsKept: events,
                    suppressionKept: suppressed
                )
                addresses = [email, phone].compactMap { $0 }
            }
            guard let erasure else { throw NotFoundError(kind: "contact", id: address.normalized) }
            try await connection.execute(
                "UPDATE messages SET error = NULL, provider_id = NULL WHERE contact_id = \(erasure.contact)",
                logger: logger
            )
            // A delivery error of another message may quote the address (an SMTP reply naming a recipient).
            for text in addresses {
                try await connection.execute(
                    """
                    UPDATE messages SET error = NULL
                    WHERE workspace_id = \(workspace.uuid) AND error IS NOT NULL AND strpos(lower(error), lower(\(text))) > 0
                    """,
                    logger: logger
                )
            }
            // consent_changes and list memberships go with the row (ON DELETE CASCADE); messages keep their counts
            // with contact_id NULL (ON DELETE SET NULL).
            try await connection.execute("DELETE FROM contacts WHERE id = \(erasure.contact)", logger: logger)
            return erasure
        }
        logger.info(
            "contact erased",
            metadata: [
                "herald.workspace.id": "\(workspace.uuid)", "herald.contact.id": "\(erasure.contact)",
                "herald.messages": "\(erasure.messagesAnonymized)",
            ]
        )
        return erasure
    }
}
