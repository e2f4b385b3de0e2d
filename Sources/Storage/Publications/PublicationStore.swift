import Foundation
import HeraldCore
import PostgresNIO

/// A variant going out on a channel at a time, with its tracking code and idempotency key.
public struct Publication: Sendable, Equatable, Codable {
    public var id: UUID
    public var workspace: WorkspaceID
    public var campaign: CampaignID
    public var variant: VariantID
    public var channel: String
    public var scheduledAt: Date
    public var status: String
    public var trackingCode: String
    public var idempotencyKey: String
    /// The variant's text, what is posted.
    public var text: String
}

/// Publications and their delivery through the outbox.
public struct PublicationStore: Sendable {
    let database: Database

    public init(_ database: Database) {
        self.database = database
    }

    /// Creates a publication unless one with `idempotencyKey` exists; returns the (existing or new) publication.
    public func create(
        workspace: WorkspaceID,
        campaign: CampaignID,
        variant: VariantID,
        channel: HeraldCore.Channel,
        scheduledAt: Date,
        idempotencyKey: String
    ) async throws -> Publication {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        let code = String((0..<16).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
        try await database.client.query(
            """
            INSERT INTO publications (workspace_id, campaign_id, variant_id, channel, scheduled_at, tracking_code, idempotency_key)
            SELECT \(workspace.uuid), \(campaign.uuid), v.id, \(channel.rawValue), \(scheduledAt), \(code), \(idempotencyKey)
            FROM variants v WHERE v.id = \(variant.uuid) AND v.campaign_id = \(campaign.uuid) AND v.workspace_id = \(workspace.uuid)
            ON CONFLICT (idempotency_key) DO NOTHING
            """,
            logger: database.logger
        )
        return try await find(idempotencyKey: idempotencyKey)
    }

    public func find(idempotencyKey: String) async throws -> Publication {
        try await select(id: nil, key: idempotencyKey)
    }

    public func find(_ id: UUID) async throws -> Publication {
        try await select(id: id, key: nil)
    }

    private func select(id: UUID?, key: String?) async throws -> Publication {
        let rows = try await database.client.query(
            """
            SELECT p.id, p.workspace_id, p.campaign_id, p.variant_id, p.channel, p.scheduled_at, p.status, p.tracking_code,
                   p.idempotency_key, v.text
            FROM publications p JOIN variants v ON v.id = p.variant_id
            WHERE p.id = \(id) OR p.idempotency_key = \(key)
            """,
            logger: database.logger
        )
        for try await row in rows.decode(Self.Row.self) { return Self.publication(row) }
        throw NotFoundError(kind: "publication", id: id?.uuidString.lowercased() ?? key ?? "")
    }

    /// Delivers through the outbox: one row per idempotency key, however many times it is called
    /// (a repeat only counts the attempt). Returns whether this call was the first delivery.
    @discardableResult
    public func deliverToOutbox(_ publication: Publication, body: String) async throws -> Bool {
        let rows = try await database.client.query(
            """
            INSERT INTO deliveries (idempotency_key, workspace_id, publication_id, channel, body)
            VALUES (\(publication.idempotencyKey), \(publication.workspace.uuid), \(publication.id), \(publication.channel), \(body))
            ON CONFLICT (idempotency_key) DO UPDATE SET attempts = deliveries.attempts + 1
            RETURNING attempts
            """,
            logger: database.logger
        )
        for try await attempts in rows.decode(Int.self) { return attempts == 1 }
        return false
    }

    /// Marks the publication published (once).
    public func markPublished(_ id: UUID, at time: Date) async throws {
        try await database.client.query(
            "UPDATE publications SET status = 'published', published_at = \(time) WHERE id = \(id) AND status <> 'published'",
            logger: database.logger
        )
    }

    /// How many outbox deliveries and delivery attempts a publication has.
    public func deliveries(of id: UUID) async throws -> (rows: Int, attempts: Int) {
        let rows = try await database.client.query(
            "SELECT count(*)::int, coalesce(sum(attempts), 0)::int FROM deliveries WHERE publication_id = \(id)",
            logger: database.logger
        )
        for try await (count, attempts) in rows.decode((Int, Int).self) { return (count, attempts) }
        return (0, 0)
    }
}

extension PublicationStore {
    /// A publication's columns as its queries select them: id, workspace, campaign, variant, channel, scheduled
    /// time, status, tracking code, idempotency key, text.
    typealias Row = (UUID, UUID, UUID, UUID, String, Date, String, String, String, String)

    /// The publication of one selected row.
    static func publication(_ row: Row) -> Publication {
        Publication(
            id: row.0,
            workspace: WorkspaceID(row.1),
            campaign: CampaignID(row.2),
            variant: VariantID(row.3),
            channel: row.4,
            scheduledAt: row.5,
            status: row.6,
            trackingCode: row.7,
            idempotencyKey: row.8,
            text: row.9
        )
    }
}
