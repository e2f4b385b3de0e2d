import Foundation
import HeraldCore
import Logging
import PostgresNIO

/// Changes of a contact's consent made by sending and tracking: a hard bounce, an unsubscribe from a message.
///
/// Each is one statement on the caller's connection (so it commits with the message's outcome): the contact's consent,
/// a row of its history, and its addresses' digests in `suppressed_addresses`, as ``ContactStore/setConsent`` records
/// a change made by a person.
public enum ContactConsent {
    /// The contact bounced (a 5xx from the receiving server): never written to again.
    public static func bounce(contact: UUID, detail: String, at time: Date, on connection: PostgresConnection, logger: Logger) async throws {
        try await set(contact: contact, state: "bounced", source: "bounce", detail: detail, at: time, on: connection, logger: logger)
    }

    /// The contact unsubscribed from a message (`source`: `one_click` or `unsubscribe_page`).
    public static func unsubscribe(
        contact: UUID,
        source: String,
        detail: String?,
        at time: Date,
        on connection: PostgresConnection,
        logger: Logger
    )
        async throws
    {
        try await set(contact: contact, state: "unsubscribed", source: source, detail: detail, at: time, on: connection, logger: logger)
    }

    /// Sets the consent and appends the change to its history, unless the contact is in that state already (or is
    /// suppressed for another reason: a bounced contact who unsubscribes stays bounced).
    static func set(
        contact: UUID,
        state: String,
        source: String,
        detail: String?,
        at time: Date,
        on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        try await connection.query(
            """
            WITH changed AS (
                UPDATE contacts SET consent = \(state), consent_at = \(time), updated_at = \(time)
                WHERE id = \(contact) AND consent = 'subscribed'
                RETURNING id, workspace_id, email_digest, phone_digest
            ), history AS (
                INSERT INTO consent_changes (contact_id, at, state, source, detail)
                SELECT id, \(time), \(state), \(source), \(detail) FROM changed
            )
            INSERT INTO suppressed_addresses (workspace_id, digest, reason, at)
            SELECT changed.workspace_id, digest, \(state), \(time)
            FROM changed, unnest(ARRAY[changed.email_digest, changed.phone_digest]) AS digest
            WHERE digest IS NOT NULL
            ON CONFLICT (workspace_id, digest) DO NOTHING
            """,
            logger: logger
        )
    }
}
