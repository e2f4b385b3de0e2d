import Channels
import Foundation
import HeraldCore
import PostgresNIO

extension CampaignStore {
    /// Where a page of campaigns ends: the last campaign's creation time and id (newest first).
    public struct Cursor: Sendable, Equatable {
        public var createdAt: Date
        public var id: CampaignID

        public init(createdAt: Date, id: CampaignID) {
            self.createdAt = createdAt
            self.id = id
        }

        /// An opaque, URL-safe form: base64url of `<microseconds since 1970>.<uuid>`.
        public var token: String {
            let micros = Int64((createdAt.timeIntervalSince1970 * 1_000_000).rounded())
            return TextEncoding.base64URL(Array("\(micros).\(id)".utf8))
        }

        /// Reads a token made by ``token``.
        public init(token: String) throws(ValidationError) {
            guard let bytes = TextEncoding.bytes(base64URL: token), let text = String(validating: bytes, as: UTF8.self) else {
                throw ValidationError(field: "cursor", reason: "is not a cursor this API returned")
            }
            let parts = text.split(separator: ".", maxSplits: 1)
            guard parts.count == 2, let micros = Int64(parts[0]), let id = CampaignID(parts[1]) else {
                throw ValidationError(field: "cursor", reason: "is not a cursor this API returned")
            }
            self.init(createdAt: Date(timeIntervalSince1970: Double(micros) / 1_000_000), id: id)
        }
    }

    /// A page of the workspace's campaigns, newest first, and the cursor of the next page (nil on the last).
    public func page(limit: Int, after cursor: Cursor?) async throws -> (campaigns: [Summary], next: Cursor?) {
        let limit = min(max(limit, 1), 200)
        var summaries = try await summaries(after: cursor, limit: limit + 1)
        guard summaries.count > limit else { return (summaries, nil) }
        summaries.removeLast()
        let last = summaries[summaries.count - 1]
        return (summaries, Cursor(createdAt: last.createdAt, id: last.id))
    }

    /// Up to `limit` campaigns after `cursor` (from the newest when nil), newest first, with their counts.
    func summaries(after cursor: Cursor?, limit: Int) async throws -> [Summary] {
        let afterTime = cursor?.createdAt
        let afterID = cursor?.id.uuid
        let rows = try await database.client.query(
            """
            SELECT c.id, c.slug, c.name,
                   (SELECT count(*) FROM variants v WHERE v.campaign_id = c.id)::int,
                   coalesce((SELECT sum(h.count) FROM variant_hourly h
                             WHERE h.campaign_id = c.id AND h.kind = 'impression'), 0)::bigint,
                   c.created_at, c.status
            FROM campaigns c
            WHERE c.workspace_id = \(workspace.uuid)
              AND (\(afterTime)::timestamptz IS NULL OR (c.created_at, c.id) < (\(afterTime)::timestamptz, \(afterID)::uuid))
            ORDER BY c.created_at DESC, c.id DESC
            LIMIT \(limit)
            """,
            logger: database.logger
        )
        var summaries: [Summary] = []
        for try await (id, slug, name, variants, impressions, createdAt, status) in rows.decode(
            (UUID, String, String, Int, Int, Date, String).self
        ) {
            summaries.append(
                Summary(
                    id: CampaignID(id),
                    slug: slug,
                    name: name,
                    variants: variants,
                    impressions: impressions,
                    status: CampaignStatus(rawValue: status) ?? .scheduled,
                    createdAt: createdAt
                )
            )
        }
        return summaries
    }

    /// Changes a campaign's name, destination or primary metric; nil leaves a field as it is.
    ///
    /// - Throws: ``NotFoundError`` when the workspace has no such campaign; ``ValidationError`` for a bad value.
    public func update(_ id: CampaignID, name: String?, destination: String??, primaryMetric: Metric?) async throws -> Campaign {
        var current = try await find(id)
        if let name { current.name = name }
        if let destination { current.destination = destination }
        if let primaryMetric { current.primaryMetric = primaryMetric }
        // The spec's rules decide what a valid campaign is.
        let spec = try CampaignSpec(
            name: current.name,
            slug: current.slug,
            primaryMetric: current.primaryMetric,
            channels: current.channels,
            destination: current.destination,
            schedule: nil,
            variants: current.variants.map(Self.specVariant),
            dryRun: current.dryRun,
            audience: current.audience
        )
        // A destination added means a tracking link in every post: the variants must still fit their channels.
        if destination != nil {
            try CampaignChannelCheck.check(
                current.variants,
                hasDestination: current.destination != nil,
                smsOptOut: try await smsOptOut(),
                linkLength: Self.defaultTrackingLinkLength
            )
        }
        try await database.client.query(
            """
            UPDATE campaigns SET name = \(spec.name), destination = \(spec.destination), primary_metric = \(spec.primaryMetric.rawValue)
            WHERE id = \(id.uuid) AND workspace_id = \(workspace.uuid)
            """,
            logger: database.logger
        )
        return try await find(id)
    }

    /// A stored variant as a spec's variant: its own channels kept as resolved.
    static func specVariant(_ variant: Campaign.Variant) -> CampaignSpec.Variant {
        CampaignSpec.Variant(key: variant.key, text: variant.text, channels: variant.channels, email: variant.email)
    }

    /// Replaces the campaign's channels.
    ///
    /// Variants written for every channel then go to the new ones too, so each is checked against their rules; a
    /// variant written for channels the campaign no longer has keeps only the ones that remain.
    ///
    /// - Throws: ``ValidationError`` naming the variant and rule a new channel breaks, or a channel left with no variant.
    public func setChannels(
        _ id: CampaignID,
        _ channels: [HeraldCore.Channel],
        trackingLinkLength: Int = CampaignStore.defaultTrackingLinkLength
    ) async throws -> Campaign {
        guard !channels.isEmpty else { throw ValidationError(field: "channels", reason: "needs at least one channel") }
        guard Set(channels).count == channels.count else { throw ValidationError(field: "channels", reason: "lists a channel twice") }
        let current = try await find(id)
        let owned = try await ownChannels(of: id)
        let resolved = current.variants.map { variant in
            var moved = variant
            moved.channels = owned[variant.id].map { names in channels.filter { names.contains($0.rawValue) } } ?? channels
            return moved
        }
        for channel in channels where !resolved.contains(where: { $0.goes(to: channel) }) {
            throw ValidationError(field: "channels", reason: "no variant is written for \(channel.rawValue); add one first")
        }
        for (index, variant) in resolved.enumerated() where variant.channels.isEmpty {
            throw ValidationError(
                field: "channels",
                reason:
                    "variant \(variant.key) would go to no channel (it was written for \(current.variants[index].channels.map(\.rawValue).joined(separator: ", ")))"
            )
        }
        for variant in resolved where variant.goes(to: .email) && variant.email == nil {
            throw ValidationError(
                field: "channels",
                reason: "variant \(variant.key) would go out by email but has no subject; add an email variant instead"
            )
        }
        try CampaignChannelCheck.check(
            resolved,
            hasDestination: current.destination != nil,
            smsOptOut: try await smsOptOut(),
            linkLength: trackingLinkLength
        )
        try await database.transaction { connection in
            try await connection.query(
                "DELETE FROM channels WHERE campaign_id = \(id.uuid) AND workspace_id = \(workspace.uuid)",
                logger: database.logger
            )
            try await connection.query(
                """
                INSERT INTO channels (workspace_id, campaign_id, kind, position)
                SELECT \(workspace.uuid), \(id.uuid), kind, position::int - 1
                FROM unnest(\(channels.map(\.rawValue))::text[]) WITH ORDINALITY AS c(kind, position)
                """,
                logger: database.logger
            )
        }
        return try await find(id)
    }

    /// The channels each variant was written for (variants written for every channel are absent).
    func ownChannels(of id: CampaignID) async throws -> [VariantID: [String]] {
        let rows = try await database.client.query(
            "SELECT id, channels FROM variants WHERE campaign_id = \(id.uuid) AND workspace_id = \(workspace.uuid) AND channels IS NOT NULL",
            logger: database.logger
        )
        var owned: [VariantID: [String]] = [:]
        for try await (variant, channels) in rows.decode((UUID, [String]).self) { owned[VariantID(variant)] = channels }
        return owned
    }

    /// Adds a variant (key defaults to the next letter) and returns it.
    ///
    /// - Parameters:
    ///   - channels: The channels it is written for; nil: every channel of the campaign.
    ///   - email: Its subject, preheader and body when it goes out by email.
    ///   - images: Its images with their alt text, loaded at the edge, in order.
    ///   - author: Who wrote it by hand (nil: this process's operator); it starts approved or pending as in
    ///     ``create(_:images:schedule:trackingLinkLength:author:)``.
    /// - Throws: ``ValidationError`` on `key` when the campaign has it already, or naming the field and channel rule it breaks.
    public func addVariant(
        to id: CampaignID,
        key: String?,
        text: String,
        channels: [HeraldCore.Channel]? = nil,
        email: EmailContent? = nil,
        images: [ImageUpload] = [],
        trackingLinkLength: Int = CampaignStore.defaultTrackingLinkLength,
        author: AuditActor? = nil
    ) async throws -> Campaign.Variant {
        let campaign = try await find(id)
        guard campaign.status != .archived, campaign.status != .ended else {
            throw ConflictError("the campaign is \(campaign.status.rawValue); its variants can no longer change")
        }
        let taken = Set(campaign.variants.map(\.key))
        let key = key ?? (0...).lazy.map(CampaignSpec.defaultKey(at:)).first { !taken.contains($0) }!
        let added = CampaignSpec.Variant(key: key, text: text, channels: channels, email: email)
        // Validate the new variant the way a whole spec is validated, then against its channels' rules.
        let relocate = { (error: ValidationError) -> ValidationError in
            let field = error.field.hasPrefix("variants[") ? String(error.field.drop(while: { $0 != "." }).dropFirst()) : error.field
            return ValidationError(field: field.isEmpty ? "text" : field, reason: error.reason)
        }
        let review = try await handWrittenReview(by: author)
        let variant = Campaign.Variant(
            id: VariantID(UUID()),
            key: key,
            text: text,
            channels: added.channels(in: campaign.channels),
            email: email,
            media: images.map { $0.media() },
            review: review
        )
        do {
            _ = try CampaignSpec(
                name: campaign.name,
                slug: campaign.slug,
                primaryMetric: campaign.primaryMetric,
                channels: campaign.channels,
                destination: campaign.destination,
                schedule: nil,
                variants: campaign.variants.map(Self.specVariant) + [added],
                dryRun: campaign.dryRun,
                audience: campaign.audience
            )
            try CampaignChannelCheck.check(
                [variant],
                hasDestination: campaign.destination != nil,
                smsOptOut: try await smsOptOut(),
                linkLength: trackingLinkLength
            )
        } catch let error as ValidationError {
            throw relocate(error)
        }
        do {
            let stored: VariantID? = try await database.transaction { connection in
                let rows = try await connection.query(
                    """
                    INSERT INTO variants (workspace_id, campaign_id, key, text, channels, subject, preheader, body, position, review, written_by)
                    SELECT \(workspace.uuid), \(id.uuid), \(key), \(text), \(channels?.map(\.rawValue))::text[], \(email?.subject), \(email?.preheader),
                           \(email?.body), coalesce(max(position) + 1, 0), \(review.rawValue), \(author?.reference)
                    FROM variants WHERE campaign_id = \(id.uuid)
                    RETURNING id
                    """,
                    logger: database.logger
                )
                var stored: VariantID?
                for try await id in rows.decode(UUID.self) { stored = VariantID(id) }
                if let stored { try await MediaStore.attach(images, to: stored, workspace: workspace, on: connection, logger: database.logger) }
                return stored
            }
            if let stored {
                var result = variant
                result.id = stored
                result.media = try await MediaStore(database, workspace: workspace).media(of: [stored])[stored] ?? []
                return result
            }
        } catch {
            if StorageError.sqlState(error) == "23505" {
                throw ValidationError(field: "key", reason: "the campaign already has a variant \"\(key)\"")
            }
            throw error
        }
        throw StorageError("adding a variant returned no id")
    }

    /// Deletes a variant that has no recorded engagement, keeping at least one.
    ///
    /// The campaign row is locked first, so concurrent deletes take turns, and one statement then checks
    /// and deletes, so nothing slips between the check and the delete.
    ///
    /// - Throws: ``NotFoundError``; ``ConflictError`` when it has events or is one of the last two.
    public func deleteVariant(_ variant: VariantID, of id: CampaignID) async throws {
        let outcome: (engaged: Bool, siblings: Int, deleted: Bool)? = try await database.transaction { connection in
            try await connection.execute(
                "SELECT 1 FROM campaigns WHERE id = \(id.uuid) AND workspace_id = \(workspace.uuid) FOR UPDATE",
                logger: database.logger
            )
            let rows = try await connection.query(
                """
                WITH target AS (
                    SELECT v.id,
                           (EXISTS (SELECT 1 FROM variant_hourly h WHERE h.variant_id = v.id)
                            OR EXISTS (SELECT 1 FROM publications p WHERE p.variant_id = v.id AND p.status <> 'cancelled')) AS engaged,
                           (SELECT count(*) FROM variants o WHERE o.campaign_id = v.campaign_id) AS siblings
                    FROM variants v
                    WHERE v.id = \(variant.uuid) AND v.campaign_id = \(id.uuid) AND v.workspace_id = \(workspace.uuid)
                ), deleted AS (
                    DELETE FROM variants v USING target t
                    WHERE v.id = t.id AND NOT t.engaged AND t.siblings > 1
                    RETURNING v.id
                )
                SELECT t.engaged, t.siblings::int, EXISTS (SELECT 1 FROM deleted) FROM target t
                """,
                logger: database.logger
            )
            for try await row in rows.decode((Bool, Int, Bool).self) { return row }
            return nil
        }
        guard let outcome else { throw NotFoundError(kind: "variant", id: variant.description) }
        if outcome.deleted { return }
        if outcome.siblings <= 1 { throw ConflictError("a campaign keeps at least one variant; add one before deleting this one") }
        throw ConflictError(
            "the variant has publications or recorded engagement; deleting it would break its tracking links and lose that history (set its weight to 0 to stop it)"
        )
    }
}
