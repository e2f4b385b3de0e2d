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
    /// The variants' images come loaded (read or fetched at the edge, see `ImageLoader`): `images[i]` holds the
    /// bytes of `spec.variants[i].images`, in order; they are stored (once per workspace) in the same transaction.
    ///
    /// The variants are written by hand, by `author`: they are approved as they are created when the author's role may
    /// publish (editor, approver, admin) and the workspace does not review hand-written variants; otherwise pending
    /// (see ``ReviewStore``). A nil author is this process's own operator (the demo, a bench, a test): a role that may
    /// publish, with no one recorded as the writer.
    ///
    /// - Throws: ``ValidationError`` on `slug` when the workspace already has a campaign with it, or naming the
    ///   variant field and the channel rule it breaks.
    public func create(
        _ spec: CampaignSpec,
        images: [[ImageUpload]] = [],
        schedule: ScheduleAttachment? = nil,
        trackingLinkLength: Int = CampaignStore.defaultTrackingLinkLength,
        author: AuditActor? = nil
    ) async throws -> Campaign {
        try spec.validate()
        let images = try Self.align(images, with: spec.variants)
        let resolved = spec.variants.enumerated().map { index, variant in
            Campaign.Variant(
                id: VariantID(UUID()),
                key: variant.key,
                text: variant.text,
                channels: variant.channels(in: spec.channels),
                email: variant.email,
                media: images[index].map { $0.media() }
            )
        }
        try CampaignChannelCheck.check(
            resolved,
            hasDestination: spec.destination != nil,
            smsOptOut: try await smsOptOut(),
            linkLength: trackingLinkLength
        )
        try await checkAccounts(named: spec.accounts)
        if spec.status == .scheduled, spec.schedule != nil, let problem = try await schedulingProblem(spec) { throw problem }
        let scheduleJSON = try spec.schedule.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        var audienceList: UUID?
        if let audience = spec.audience { audienceList = try await contactList(named: audience.list) }
        let audienceJSON = try spec.audience.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        let autopilotRails = String(decoding: try JSONEncoder().encode(spec.autopilot?.rails ?? GuardRails()), as: UTF8.self)
        let metric = spec.primaryMetric.rawValue
        let variantChannels = spec.variants.map { variant in variant.channels.map { $0.map(\.rawValue).joined(separator: ",") } ?? "" }
        let review = try await handWrittenReview(by: author)
        do {
            // The id is chosen here, not by the table's default, so the schedule's job payload is encoded
            // from its Swift type like every other payload (rather than assembled in SQL).
            let id = CampaignID(UUID())
            try await database.transaction { connection in
                try await connection.query(
                    """
                    INSERT INTO campaigns (id, workspace_id, slug, name, primary_metric, destination, schedule, status, dry_run,
                                           audience, audience_list_id, autopilot_mode, autopilot_rails, design_horizon)
                    VALUES (\(id.uuid), \(workspace.uuid), \(spec.slug), \(spec.name), \(metric), \(spec.destination), \(scheduleJSON)::jsonb,
                            \(spec.status.rawValue), \(spec.dryRun), \(audienceJSON)::jsonb, \(audienceList),
                            \(spec.autopilot?.mode.rawValue ?? "off"), \(autopilotRails)::jsonb, \(spec.design.map { Int64($0.horizon) }))
                    """,
                    logger: database.logger
                )
                try await connection.query(
                    """
                    INSERT INTO channels (workspace_id, campaign_id, kind, position, account_id)
                    SELECT \(workspace.uuid), \(id.uuid), kind, position::int - 1,
                           (SELECT a.id FROM accounts a WHERE a.workspace_id = \(workspace.uuid) AND a.name = c.account AND a.kind = c.kind)
                    FROM unnest(\(spec.channels.map(\.rawValue))::text[], \(spec.channels.map { spec.accounts[$0] ?? "" })::text[])
                         WITH ORDINALITY AS c(kind, account, position)
                    """,
                    logger: database.logger
                )
                // Variant channels travel as comma-separated text ('' for every channel of the campaign).
                let inserted = try await connection.query(
                    """
                    INSERT INTO variants (workspace_id, campaign_id, key, text, channels, subject, preheader, body, position, review, written_by)
                    SELECT \(workspace.uuid), \(id.uuid), key, text, string_to_array(nullif(channels, ''), ','),
                           nullif(subject, ''), CASE WHEN subject = '' THEN NULL ELSE preheader END, nullif(body, ''), position::int - 1,
                           \(review.rawValue), \(author?.reference)
                    FROM unnest(\(spec.variants.map(\.key))::text[], \(spec.variants.map(\.text))::text[], \(variantChannels)::text[],
                                \(spec.variants.map { $0.email?.subject ?? "" })::text[], \(spec.variants.map { $0.email?.preheader ?? "" })::text[],
                                \(spec.variants.map { $0.email?.body ?? "" })::text[])
                         WITH ORDINALITY AS v(key, text, channels, subject, preheader, body, position)
                    RETURNING id, key
                    """,
                    logger: database.logger
                )
                var variantIDs: [String: VariantID] = [:]
                for try await (variant, key) in inserted.decode((UUID, String).self) { variantIDs[key] = VariantID(variant) }
                for (index, variant) in spec.variants.enumerated() where !images[index].isEmpty {
                    guard let variantID = variantIDs[variant.key] else { throw StorageError("variant \(variant.key) was not stored") }
                    try await MediaStore.attach(images[index], to: variantID, workspace: workspace, on: connection, logger: database.logger)
                }
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

    /// The loaded images per variant, one list per spec variant (none given: no images anywhere); each list must
    /// hold as many images as its variant names, since the edge loads them all.
    static func align(_ images: [[ImageUpload]], with variants: [CampaignSpec.Variant]) throws -> [[ImageUpload]] {
        let aligned = images.isEmpty ? Array(repeating: [], count: variants.count) : images
        guard aligned.count == variants.count else {
            throw StorageError("images were loaded for \(aligned.count) variants; the campaign has \(variants.count)")
        }
        for (index, variant) in variants.enumerated() where aligned[index].count != variant.images.count {
            throw StorageError("variant \(variant.key) names \(variant.images.count) images but \(aligned[index].count) were loaded")
        }
        return aligned
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
                   coalesce((SELECT array_agg(kind ORDER BY position) FROM channels WHERE campaign_id = c.id), '{}'), c.status, c.dry_run,
                   coalesce((SELECT array_agg(ch.kind || '=' || a.name ORDER BY ch.position)
                             FROM channels ch JOIN accounts a ON a.id = ch.account_id WHERE ch.campaign_id = c.id), '{}'),
                   c.audience::text, c.design_horizon
            FROM campaigns c
            WHERE c.workspace_id = \(workspace.uuid) AND c.id = \(id.uuid)
            """,
            logger: database.logger
        )
        for try await (id, slug, name, metric, destination, schedule, createdAt, channelNames, status, dryRun, accountPairs, audience, horizon)
            in rows.decode((UUID, String, String, String, String?, String?, Date, [String], String, Bool, [String], String?, Int64?).self)
        {
            var accounts: [HeraldCore.Channel: String] = [:]
            for pair in accountPairs {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2, let channel = HeraldCore.Channel(rawValue: String(parts[0])) { accounts[channel] = String(parts[1]) }
            }
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
                dryRun: dryRun,
                accounts: accounts,
                audience: try audience.map { try JSONDecoder().decode(CampaignAudience.self, from: Data($0.utf8)) },
                design: try horizon.map { try CampaignDesign(horizon: Int($0)) }
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
            SELECT id, key, text, channels, subject, preheader, body, weight, review FROM variants
            WHERE workspace_id = \(workspace.uuid) AND campaign_id = \(campaign.uuid)
            ORDER BY position
            """,
            logger: database.logger
        )
        var variants: [Campaign.Variant] = []
        for try await (id, key, text, own, subject, preheader, body, weight, review) in rows.decode(
            (UUID, String, String, [String]?, String?, String?, String?, Double?, String).self
        ) {
            let resolved = own.map { names in channels.filter { names.contains($0.rawValue) } } ?? channels
            variants.append(
                Campaign.Variant(
                    id: VariantID(id),
                    key: key,
                    text: text,
                    channels: resolved,
                    email: subject.map { EmailContent(subject: $0, preheader: preheader ?? "", body: body ?? text) },
                    weight: weight,
                    review: ReviewState(rawValue: review) ?? .pending
                )
            )
        }
        let media = try await MediaStore(database, workspace: workspace).media(of: variants.map(\.id))
        for index in variants.indices { variants[index].media = media[variants[index].id] ?? [] }
        return variants
    }

    /// The review state of a variant written by hand by `author`: approved unless the author may not publish or the
    /// workspace reviews hand-written variants; nil is this process's operator, who may publish.
    func handWrittenReview(by author: AuditActor?) async throws -> ReviewState {
        let mayPublish = (author?.role ?? .admin) >= .editor
        guard mayPublish else { return .pending }
        return try await ReviewStore(database, workspace: workspace).settings().reviewHandWritten ? .pending : .approved
    }

    /// The id of the workspace's contact list called `name`.
    ///
    /// - Throws: ``ValidationError`` on `audience.list` naming the command that makes the list, when there is none.
    func contactList(named name: String) async throws -> UUID {
        let rows = try await database.client.query(
            "SELECT id FROM contact_lists WHERE workspace_id = \(workspace.uuid) AND name = \(name)",
            logger: database.logger
        )
        for try await id in rows.decode(UUID.self) { return id }
        throw ValidationError(
            field: "audience.list",
            reason: "the workspace has no contact list \"\(name)\"; create it with `herald lists create \(name)` "
                + "(or `herald contacts import FILE.csv --list \(name)`)"
        )
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
