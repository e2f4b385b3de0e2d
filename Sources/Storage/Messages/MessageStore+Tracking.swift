import Foundation
import HeraldCore
import Logging
import PostgresNIO

extension MessageStore {
    /// What a recipient token's links point at: the message's campaign, variant and channel, and when it was sent; nil
    /// for an unknown message (or one whose variant was deleted).
    public func trackingTarget(message: UUID) async throws -> TrackingTarget? {
        let rows = try await database.client.query(
            """
            SELECT m.workspace_id, m.campaign_id, c.slug, m.variant_id, v.key, m.channel, c.destination, m.sent_at
            FROM messages m
            JOIN campaigns c ON c.id = m.campaign_id AND c.workspace_id = m.workspace_id
            JOIN variants v ON v.id = m.variant_id AND v.workspace_id = m.workspace_id
            WHERE m.id = \(message)
            """,
            logger: database.logger
        )
        for try await row in rows.decode((UUID, UUID, String, UUID, String, String, String?, Date?).self) {
            return TrackingTarget(
                publication: nil,
                workspace: WorkspaceID(row.0),
                campaign: CampaignID(row.1),
                campaignSlug: row.2,
                variant: VariantID(row.3),
                variantKey: row.4,
                channel: row.5,
                destination: row.6,
                message: message,
                sentAt: row.7
            )
        }
        return nil
    }

    /// Sets the consent of the contacts of `unsubscribes` (message id → where the unsubscribe came from) to
    /// unsubscribed, on the caller's connection: the tracking flusher calls it in the transaction that stores the
    /// `unsubscribe` events, so an unsubscribe answered during an outage takes effect when the spool drains.
    static func unsubscribe(
        _ unsubscribes: [(message: UUID, source: String, at: Date)],
        on connection: PostgresConnection,
        logger: Logger
    )
        async throws
    {
        for unsubscribe in unsubscribes {
            let rows = try await connection.query(
                "SELECT contact_id FROM messages WHERE id = \(unsubscribe.message) AND contact_id IS NOT NULL",
                logger: logger
            )
            var contacts: [UUID] = []
            for try await contact in rows.decode(UUID.self) { contacts.append(contact) }
            for contact in contacts {
                try await ContactConsent.unsubscribe(
                    contact: contact,
                    source: unsubscribe.source,
                    detail: "message \(unsubscribe.message)",
                    at: unsubscribe.at,
                    on: connection,
                    logger: logger
                )
            }
        }
    }
}

extension MessageStore {
    /// The list an audience campaign sends to (nil when it was deleted since) and its winner once chosen.
    public func audienceTarget(campaign: CampaignID) async throws -> (list: UUID?, winner: VariantID?) {
        let rows = try await database.client.query(
            "SELECT audience_list_id, winner_variant_id FROM campaigns WHERE id = \(campaign.uuid)",
            logger: database.logger
        )
        for try await (list, winner) in rows.decode((UUID?, UUID?).self) { return (list, winner.map(VariantID.init)) }
        throw NotFoundError(kind: "campaign", id: campaign.description)
    }
}
