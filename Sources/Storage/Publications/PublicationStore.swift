import Foundation
import HeraldCore
import Logging
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
    /// What is posted or sent: the variant rendered for the channel, its links the tracking link (for email, the
    /// plain-text part).
    public var text: String
    /// An email's subject and preheader.
    public var subject: String?
    public var preheader: String?
    /// For channels that split an audience (email, SMS): the share of the audience this publication reaches.
    public var audienceShare: Double?
    /// Why it failed or was cancelled (the platform's own message), or why it waits.
    public var error: String?
    /// The account it goes out through (nil: a dry run, or no account).
    public var account: UUID?
    /// The platform's id and URL of the post, once published.
    public var providerID: String?
    public var providerURL: String?
    /// Why it failed: transient, rate_limited, auth, rejected_content, unknown_outcome, rules, no_account.
    public var failureClass: String?
    public var publishedAt: Date?
    /// The account's name.
    public var accountName: String?
    /// How many times a person sent it again (`herald publications retry`).
    public var retries: Int = 0
}

/// Publications and their delivery through the outbox.
public struct PublicationStore: Sendable {
    let database: Database

    public init(_ database: Database) {
        self.database = database
    }

    /// What a new publication goes out with.
    public struct Draft: Sendable {
        public var variant: VariantID
        public var channel: HeraldCore.Channel
        public var scheduledAt: Date
        public var idempotencyKey: String
        /// Its tracking code (see `TrackingLink.newCode()`); the rendered text carries its links.
        public var trackingCode: String
        /// The rendered post (nil: the variant's text as it is).
        public var text: String?
        public var subject: String?
        public var preheader: String?
        public var audienceShare: Double?
        /// Why it cannot go out (it is then stored failed with this reason, and no job sends it); nil when it can.
        public var failure: String?
        /// The class of `failure`: `rules` (it breaks its channel's rules) or `no_account`.
        public var failureClass: String?
        /// The account it goes out through (nil: a dry run).
        public var account: UUID?

        public init(
            variant: VariantID,
            channel: HeraldCore.Channel,
            scheduledAt: Date,
            idempotencyKey: String,
            trackingCode: String = TrackingLink.newCode(),
            text: String? = nil,
            subject: String? = nil,
            preheader: String? = nil,
            audienceShare: Double? = nil,
            failure: String? = nil,
            failureClass: String? = nil,
            account: UUID? = nil
        ) {
            self.failureClass = failure == nil ? nil : (failureClass ?? "rules")
            self.account = account
            self.variant = variant
            self.channel = channel
            self.scheduledAt = scheduledAt
            self.idempotencyKey = idempotencyKey
            self.trackingCode = trackingCode
            self.text = text
            self.subject = subject
            self.preheader = preheader
            self.audienceShare = audienceShare
            self.failure = failure
        }
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
        try await create(
            workspace: workspace,
            campaign: campaign,
            Draft(variant: variant, channel: channel, scheduledAt: scheduledAt, idempotencyKey: idempotencyKey)
        )
    }

    /// Creates a publication unless one with the draft's idempotency key exists; returns the (existing or new) one.
    ///
    /// - Throws: ``NotFoundError`` when the variant is not the campaign's in this workspace.
    public func create(workspace: WorkspaceID, campaign: CampaignID, _ draft: Draft) async throws -> Publication {
        try await database.client.withConnection { connection in
            try await Self.insert(draft, workspace: workspace, campaign: campaign, connection: connection, logger: database.logger)
        }
        return try await find(idempotencyKey: draft.idempotencyKey)
    }

    /// The next publication of a one-post channel: under a lock per campaign and channel, the publication with `key`
    /// if a repeated fire made it already, else the draft `choose` makes from how many publications each variant had
    /// on the channel. Two fires at once (a manual publish and a scheduled one) thus take turns, and the split's
    /// rotation sees the other's choice.
    ///
    /// - Returns: The publication, or nil when `choose` picks none.
    public func createNext(
        workspace: WorkspaceID,
        campaign: CampaignID,
        channel: HeraldCore.Channel,
        key: String,
        choose: ([VariantID: Int]) -> Draft?
    ) async throws -> Publication? {
        let logger = database.logger
        let made: Bool = try await database.transaction { connection in
            try await connection.execute(
                "SELECT pg_advisory_xact_lock(hashtext(\(campaign.uuid.uuidString.lowercased() + ":" + channel.rawValue)))",
                logger: logger
            )
            let existing = try await connection.query("SELECT 1 FROM publications WHERE idempotency_key = \(key)", logger: logger)
            for try await _ in existing.decode(Int.self) { return true }
            guard let draft = choose(try await Self.counts(campaign: campaign, channel: channel, connection: connection, logger: logger)) else {
                return false
            }
            try await Self.insert(draft, workspace: workspace, campaign: campaign, connection: connection, logger: logger)
            return true
        }
        return made ? try await find(idempotencyKey: key) : nil
    }

    /// Inserts a draft unless its idempotency key exists.
    static func insert(_ draft: Draft, workspace: WorkspaceID, campaign: CampaignID, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.execute(
            """
            INSERT INTO publications (workspace_id, campaign_id, variant_id, channel, scheduled_at, tracking_code, idempotency_key,
                                      body, subject, preheader, audience_share, status, error, failure_class, account_id)
            SELECT \(workspace.uuid), \(campaign.uuid), v.id, \(draft.channel.rawValue), \(draft.scheduledAt), \(draft.trackingCode),
                   \(draft.idempotencyKey), coalesce(\(draft.text), v.text), \(draft.subject), \(draft.preheader), \(draft.audienceShare),
                   \(draft.failure == nil ? "scheduled" : "failed"), \(draft.failure), \(draft.failureClass),
                   (SELECT a.id FROM accounts a WHERE a.id = \(draft.account) AND a.workspace_id = \(workspace.uuid))
            FROM variants v WHERE v.id = \(draft.variant.uuid) AND v.campaign_id = \(campaign.uuid) AND v.workspace_id = \(workspace.uuid)
            ON CONFLICT (idempotency_key) DO NOTHING
            """,
            logger: logger
        )
    }

    /// How many publications each variant of the campaign has had on `channel` (cancelled ones left out): what
    /// the split's rotation balances.
    public func counts(campaign: CampaignID, channel: HeraldCore.Channel) async throws -> [VariantID: Int] {
        try await database.client.withConnection { connection in
            try await Self.counts(campaign: campaign, channel: channel, connection: connection, logger: database.logger)
        }
    }

    static func counts(
        campaign: CampaignID,
        channel: HeraldCore.Channel,
        connection: PostgresConnection,
        logger: Logger
    ) async throws
        -> [VariantID: Int]
    {
        let rows = try await connection.query(
            """
            SELECT variant_id, count(*)::int FROM publications
            WHERE campaign_id = \(campaign.uuid) AND channel = \(channel.rawValue) AND status <> 'cancelled'
            GROUP BY variant_id
            """,
            logger: logger
        )
        var counts: [VariantID: Int] = [:]
        for try await (variant, count) in rows.decode((UUID, Int).self) { counts[VariantID(variant)] = count }
        return counts
    }

    /// Claims a publication for sending: moves it to `sending` only while its campaign still publishes (scheduled
    /// or running). The row lock orders this against a pause or end, which cancels only `scheduled` publications: a
    /// publication is either claimed before the pause (and goes out) or cancelled by it, never both.
    ///
    /// - Returns: Whether the publication may be sent now (a rescued job finds its own `sending` claim again).
    public func claim(_ id: UUID) async throws -> Bool {
        let rows = try await database.client.query(
            """
            UPDATE publications p SET status = 'sending', error = NULL, failure_class = NULL
            FROM campaigns c
            WHERE p.id = \(id) AND p.status IN ('scheduled', 'sending')
              AND c.id = p.campaign_id AND c.status IN ('scheduled', 'running')
            RETURNING p.id
            """,
            logger: database.logger
        )
        for try await _ in rows.decode(UUID.self) { return true }
        return false
    }

    /// Marks a publication that could not go out as failed, with the reason (a publication already out stays published).
    public func markFailed(_ id: UUID, error: String) async throws {
        try await database.client.query(
            "UPDATE publications SET status = 'failed', error = \(error) WHERE id = \(id) AND status IN ('scheduled', 'sending')",
            logger: database.logger
        )
    }

    /// Cancels a publication that has not gone out (its campaign was paused or ended meanwhile).
    public func cancel(_ id: UUID, reason: String) async throws {
        try await database.client.query(
            "UPDATE publications SET status = 'cancelled', error = \(reason) WHERE id = \(id) AND status = 'scheduled'",
            logger: database.logger
        )
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
            SELECT \(unescaped: Self.columns)
            FROM publications p
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
    /// A publication's columns as its queries select them (table alias `p`), in ``Row``'s order.
    static let columns = """
        p.id, p.workspace_id, p.campaign_id, p.variant_id, p.channel, p.scheduled_at, p.status, p.tracking_code,
        p.idempotency_key, coalesce(p.body, ''), p.subject, p.preheader, p.audience_share, p.error,
        p.account_id, p.provider_id, p.provider_url, p.failure_class, p.published_at,
        (SELECT a.name FROM accounts a WHERE a.id = p.account_id), p.retries
        """

    /// A publication's columns: id, workspace, campaign, variant, channel, scheduled time, status, tracking code,
    /// idempotency key, text, subject, preheader, audience share, error, account, provider id and URL, failure class,
    /// publication time, account name, retries.
    typealias Row = (
        UUID, UUID, UUID, UUID, String, Date, String, String, String, String, String?, String?, Double?, String?, UUID?, String?, String?,
        String?, Date?, String?, Int
    )

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
            text: row.9,
            subject: row.10,
            preheader: row.11,
            audienceShare: row.12,
            error: row.13,
            account: row.14,
            providerID: row.15,
            providerURL: row.16,
            failureClass: row.17,
            publishedAt: row.18,
            accountName: row.19,
            retries: row.20
        )
    }
}
