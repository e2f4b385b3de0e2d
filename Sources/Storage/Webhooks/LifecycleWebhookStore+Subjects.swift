import Foundation
import HeraldCore
import PostgresNIO

extension LifecycleWebhookStore {
    /// A publication of the workspace as its lifecycle events show it, with how many times it was retried (part of the
    /// id of a retried publication's events).
    ///
    /// - Throws: ``NotFoundError`` when the workspace has no such publication.
    public func publication(_ id: UUID) async throws -> (publication: LifecycleEvent.Publication, retries: Int) {
        let rows = try await database.client.query(
            """
            SELECT p.id, c.slug, v.key, p.channel, (SELECT a.name FROM accounts a WHERE a.id = p.account_id), p.status,
                   p.provider_id, p.provider_url, p.error, p.failure_class, p.retries
            FROM publications p
            JOIN campaigns c ON c.id = p.campaign_id
            JOIN variants v ON v.id = p.variant_id
            WHERE p.workspace_id = \(workspace.uuid) AND p.id = \(id)
            """,
            logger: database.logger
        )
        for try await row in rows.decode((UUID, String, String, String, String?, String, String?, String?, String?, String?, Int).self) {
            let publication = LifecycleEvent.Publication(
                id: row.0,
                campaign: row.1,
                variant: row.2,
                channel: row.3,
                account: row.4,
                state: row.5,
                providerID: row.6,
                providerURL: row.7,
                error: row.8,
                failureClass: row.9
            )
            return (publication, row.10)
        }
        throw NotFoundError(kind: "publication", id: id.uuidString.lowercased())
    }

    /// An account of the workspace as its lifecycle events show it (never its credentials), with when it last changed.
    ///
    /// - Throws: ``NotFoundError`` when the workspace has no such account.
    public func account(_ id: UUID) async throws -> (account: LifecycleEvent.Account, updatedAt: Date) {
        let rows = try await database.client.query(
            "SELECT name, kind, health, health_reason, updated_at FROM accounts WHERE workspace_id = \(workspace.uuid) AND id = \(id)",
            logger: database.logger
        )
        for try await (name, kind, health, reason, updatedAt) in rows.decode((String, String, String, String?, Date).self) {
            return (LifecycleEvent.Account(name: name, kind: kind, health: health, reason: reason), updatedAt)
        }
        throw NotFoundError(kind: "account", id: id.uuidString.lowercased())
    }
}
