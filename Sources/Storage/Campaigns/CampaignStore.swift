import Channels
import Foundation
import HeraldCore
import PostgresNIO

/// Campaigns with their channels and variants, always within one workspace.
public struct CampaignStore: Sendable {
    let database: Database
    /// The workspace every query is scoped to.
    public let workspace: WorkspaceID

    public init(_ database: Database, workspace: WorkspaceID) {
        self.database = database
        self.workspace = workspace
    }

    /// A publication schedule stored with a new campaign: named `campaign:<slug>`, each fire runs a
    /// ``JobKind/publishCampaign`` job (``PublishCampaignPayload``), removed with the campaign.
    public struct ScheduleAttachment: Sendable {
        /// The rule's stored text (a cron expression, `every:…` or `once:…`).
        public var rule: String
        public var timeZone: String
        public var nextFireAt: Date?
        public var now: Date

        public init(rule: String, timeZone: String, nextFireAt: Date?, now: Date) {
            self.rule = rule
            self.timeZone = timeZone
            self.nextFireAt = nextFireAt
            self.now = now
        }
    }

    /// How long tracking links are when no public URL is known: `http://localhost:8080/r/<16 letters>`.
    public static let defaultTrackingLinkLength = CampaignChannelCheck.linkLength(publicURL: "http://localhost:8080")

    /// Stores a validated spec as a new campaign (and its schedule, if given) in one transaction.
    ///
    /// Every variant is checked against the rules of each channel it is written for, as it will go out (with a
    /// tracking link of `trackingLinkLength` characters and, for SMS, the workspace's opt-out line).
    ///
    /// - Throws: ``ValidationError`` on `slug` when the workspace already has a campaign with it, or naming the
    ///   variant field and the channel rule it breaks.
    public func create(
        _ spec: CampaignSpec,
        schedule: ScheduleAttachment? = nil,
        trackingLinkLength: Int = CampaignStore.defaultTrackingLinkLength
    ) async throws -> Campaign {
        try spec.validate()
        let resolved = spec.variants.map { variant in
            Campaign.Variant(
                id: VariantID(UUID()),
                key: variant.key,
                text: variant.text,
                channels: variant.channels(in: spec.channels),
                email: variant.email
            )
        }
        try CampaignChannelCheck.check(
            resolved,
            hasDestination: spec.destination != nil,
            smsOptOut: try await smsOptOut(),
            linkLength: trackingLinkLength
        )
        let scheduleJSON = try spec.schedule.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        let metric = spec.primaryMetric.rawValue
        let variantChannels = spec.variants.map { variant in variant.channels.map { $0.map(\.rawValue).joined(separator: ",") } ?? "" }
        do {
            // The id is chosen here, not by the table's default, so the schedule's job payload is encoded
            // from its Swift type like every other payload (rather than assembled in SQL).
            let id = CampaignID(UUID())
            try await database.transaction { connection in
                try await connection.query(
                    """
                    INSERT INTO campaigns (id, workspace_id, slug, name, primary_metric, destination, schedule, status)
                    VALUES (\(id.uuid), \(workspace.uuid), \(spec.slug), \(spec.name), \(metric), \(spec.destination), \(scheduleJSON)::jsonb,
                            \(spec.status.rawValue))
                    """,
                    logger: database.logger
                )
                try await connection.query(
                    """
                    INSERT INTO channels (workspace_id, campaign_id, kind, position)
                    SELECT \(workspace.uuid), \(id.uuid), kind, position::int - 1
                    FROM unnest(\(spec.channels.map(\.rawValue))::text[]) WITH ORDINALITY AS c(kind, position)
                    """,
                    logger: database.logger
                )
                // Variant channels travel as comma-separated text ('' for every channel of the campaign).
                try await connection.query(
                    """
                    INSERT INTO variants (workspace_id, campaign_id, key, text, channels, subject, preheader, body, position)
                    SELECT \(workspace.uuid), \(id.uuid), key, text, string_to_array(nullif(channels, ''), ','),
                           nullif(subject, ''), CASE WHEN subject = '' THEN NULL ELSE preheader END, nullif(body, ''), position::int - 1
                    FROM unnest(\(spec.variants.map(\.key))::text[], \(spec.variants.map(\.text))::text[], \(variantChannels)::text[],
                                \(spec.variants.map { $0.email?.subject ?? "" })::text[], \(spec.variants.map { $0.email?.preheader ?? "" })::text[],
                                \(spec.variants.map { $0.email?.body ?? "" })::text[])
                         WITH ORDINALITY AS v(key, text, channels, subject, preheader, body, position)
                    """,
                    logger: database.logger
                )
                if let schedule {
                    let job = EncodedJobPayload(PublishCampaignPayload(campaign: id, workspace: workspace))
                    // A draft's schedule waits, disabled, until `campaigns start`.
                    try await connection.query(
                        """
                        INSERT INTO schedules (workspace_id, campaign_id, name, rule, tz, job_kind, job_payload, next_fire_at, created_at,
                                               active_until, max_fires, enabled)
                        VALUES (\(workspace.uuid), \(id.uuid), \("campaign:" + spec.slug), \(schedule.rule), \(schedule.timeZone),
                                \(job.kind.rawValue), \(job.json)::jsonb, \(schedule.nextFireAt), \(schedule.now),
                                \(spec.schedule?.until), \(spec.schedule?.count), \(spec.status != .draft))
                        """,
                        logger: database.logger
                    )
                }
            }
            return try await find(id)
        } catch {
            if StorageError.sqlState(error) == "23505" {
                throw ValidationError(
                    field: "slug",
                    reason: "the workspace already has a campaign \"\(spec.slug)\"; choose another slug"
                )
            }
            throw error
        }
    }

    /// The campaign with this id or slug.
    ///
    /// - Throws: ``NotFoundError`` when the workspace has none.
    public func find(_ reference: String) async throws -> Campaign {
        if let id = CampaignID(reference) { return try await find(id) }
        let rows = try await database.client.query(
            "SELECT id FROM campaigns WHERE workspace_id = \(workspace.uuid) AND slug = \(reference)",
            logger: database.logger
        )
        for try await id in rows.decode(UUID.self) { return try await find(CampaignID(id)) }
        throw NotFoundError(kind: "campaign", id: reference)
    }

    /// The campaign with this id.
    public func find(_ id: CampaignID) async throws -> Campaign {
        let rows = try await database.client.query(
            """
            SELECT c.id, c.slug, c.name, c.primary_metric, c.destination, c.schedule::text, c.created_at,
                   coalesce((SELECT array_agg(kind ORDER BY position) FROM channels WHERE campaign_id = c.id), '{}'), c.status,
                   c.dry_run
            FROM campaigns c
            WHERE c.workspace_id = \(workspace.uuid) AND c.id = \(id.uuid)
            """,
            logger: database.logger
        )
        for try await (id, slug, name, metric, destination, schedule, createdAt, channelNames, status, dryRun) in rows.decode(
            (UUID, String, String, String, String?, String?, Date, [String], String, Bool).self
        ) {
            let channels = channelNames.compactMap(HeraldCore.Channel.init(rawValue:))
            return Campaign(
                id: CampaignID(id),
                workspaceID: workspace,
                slug: slug,
                name: name,
                primaryMetric: Metric(rawValue: metric) ?? .click,
                channels: channels,
                destination: destination,
                schedule: try schedule.map { try JSONDecoder().decode(CampaignSpec.Schedule.self, from: Data($0.utf8)) },
                variants: try await variants(of: CampaignID(id), channels: channels),
                status: CampaignStatus(rawValue: status) ?? .scheduled,
                createdAt: createdAt,
                dryRun: dryRun
            )
        }
        throw NotFoundError(kind: "campaign", id: id.description)
    }

    /// The campaign's variants in their order.
    public func variants(of campaign: CampaignID) async throws -> [Campaign.Variant] {
        try await variants(of: campaign, channels: try await find(campaign).channels)
    }

    /// The campaign's variants in their order, each with its channels resolved against the campaign's `channels`.
    func variants(of campaign: CampaignID, channels: [HeraldCore.Channel]) async throws -> [Campaign.Variant] {
        let rows = try await database.client.query(
            """
            SELECT id, key, text, channels, subject, preheader, body, weight FROM variants
            WHERE workspace_id = \(workspace.uuid) AND campaign_id = \(campaign.uuid)
            ORDER BY position
            """,
            logger: database.logger
        )
        var variants: [Campaign.Variant] = []
        for try await (id, key, text, own, subject, preheader, body, weight) in rows.decode(
            (UUID, String, String, [String]?, String?, String?, String?, Double?).self
        ) {
            let resolved = own.map { names in channels.filter { names.contains($0.rawValue) } } ?? channels
            variants.append(
                Campaign.Variant(
                    id: VariantID(id),
                    key: key,
                    text: text,
                    channels: resolved,
                    email: subject.map { EmailContent(subject: $0, preheader: preheader ?? "", body: body ?? text) },
                    weight: weight
                )
            )
        }
        return variants
    }

    /// The line every SMS of the workspace ends with (`workspaces.sms_opt_out`).
    public func smsOptOut() async throws -> String {
        let rows = try await database.client.query(
            "SELECT sms_opt_out FROM workspaces WHERE id = \(workspace.uuid)",
            logger: database.logger
        )
        for try await line in rows.decode(String.self) { return line }
        throw NotFoundError(kind: "workspace", id: workspace.description)
    }

    /// One line of `campaigns list`.
    public struct Summary: Sendable, Equatable, Codable {
        public var id: CampaignID
        public var slug: String
        public var name: String
        public var variants: Int
        public var impressions: Int
        public var status: CampaignStatus
        public var createdAt: Date

        enum CodingKeys: String, CodingKey {
            case id, slug, name, variants, impressions, status
            case createdAt = "created_at"
        }
    }

    /// Every campaign of the workspace, newest first, with its variant and impression counts.
    public func list() async throws -> [Summary] {
        try await summaries(after: nil, limit: Int(Int32.max))
    }

    /// Deletes the campaign and everything recorded for it (events, rollups, analyses).
    public func delete(_ id: CampaignID) async throws {
        try await database.transaction { connection in
            try await connection.query(
                "DELETE FROM event_ids e USING events ev WHERE ev.id = e.id AND ev.campaign_id = \(id.uuid) AND ev.workspace_id = \(workspace.uuid)",
                logger: database.logger
            )
            try await connection.query(
                "DELETE FROM events WHERE campaign_id = \(id.uuid) AND workspace_id = \(workspace.uuid)",
                logger: database.logger
            )
            try await connection.query(
                "DELETE FROM variant_hourly WHERE campaign_id = \(id.uuid) AND workspace_id = \(workspace.uuid)",
                logger: database.logger
            )
            try await connection.query(
                "DELETE FROM campaigns WHERE id = \(id.uuid) AND workspace_id = \(workspace.uuid)",
                logger: database.logger
            )
        }
    }
}
