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
                   c.created_at
            FROM campaigns c
            WHERE c.workspace_id = \(workspace.uuid)
              AND (\(afterTime)::timestamptz IS NULL OR (c.created_at, c.id) < (\(afterTime)::timestamptz, \(afterID)::uuid))
            ORDER BY c.created_at DESC, c.id DESC
            LIMIT \(limit)
            """,
            logger: database.logger
        )
        var summaries: [Summary] = []
        for try await (id, slug, name, variants, impressions, createdAt) in rows.decode((UUID, String, String, Int, Int, Date).self) {
            summaries.append(
                Summary(id: CampaignID(id), slug: slug, name: name, variants: variants, impressions: impressions, createdAt: createdAt)
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
            variants: current.variants.map { CampaignSpec.Variant(key: $0.key, text: $0.text) }
        )
        try await database.client.query(
            """
            UPDATE campaigns SET name = \(spec.name), destination = \(spec.destination), primary_metric = \(spec.primaryMetric.rawValue)
            WHERE id = \(id.uuid) AND workspace_id = \(workspace.uuid)
            """,
            logger: database.logger
        )
        return try await find(id)
    }

    /// Replaces the campaign's channels.
    public func setChannels(_ id: CampaignID, _ channels: [HeraldCore.Channel]) async throws -> Campaign {
        guard !channels.isEmpty else { throw ValidationError(field: "channels", reason: "needs at least one channel") }
        guard Set(channels).count == channels.count else { throw ValidationError(field: "channels", reason: "lists a channel twice") }
        _ = try await find(id)
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

    /// Adds a variant (key defaults to the next letter) and returns it.
    ///
    /// - Throws: ``ValidationError`` on `key` when the campaign has it already, or on `text`.
    public func addVariant(to id: CampaignID, key: String?, text: String) async throws -> Campaign.Variant {
        let campaign = try await find(id)
        let key = key ?? CampaignSpec.defaultKey(at: campaign.variants.count)
        // Validate the new variant the way a whole spec is validated.
        do {
            _ = try CampaignSpec(
                name: campaign.name,
                slug: campaign.slug,
                primaryMetric: campaign.primaryMetric,
                channels: campaign.channels,
                destination: campaign.destination,
                schedule: nil,
                variants: campaign.variants.map { CampaignSpec.Variant(key: $0.key, text: $0.text) }
                    + [CampaignSpec.Variant(key: key, text: text)]
            )
        } catch {
            let field = error.field.hasPrefix("variants[") ? String(error.field.drop(while: { $0 != "." }).dropFirst()) : error.field
            throw ValidationError(field: field.isEmpty ? "text" : field, reason: error.reason)
        }
        do {
            let rows = try await database.client.query(
                """
                INSERT INTO variants (workspace_id, campaign_id, key, text, position)
                SELECT \(workspace.uuid), \(id.uuid), \(key), \(text), coalesce(max(position) + 1, 0)
                FROM variants WHERE campaign_id = \(id.uuid)
                RETURNING id
                """,
                logger: database.logger
            )
            for try await variant in rows.decode(UUID.self) { return Campaign.Variant(id: VariantID(variant), key: key, text: text) }
        } catch {
            if StorageError.sqlState(error) == "23505" {
                throw ValidationError(field: "key", reason: "the campaign already has a variant \"\(key)\"")
            }
            throw error
        }
        throw StorageError("adding a variant returned no id")
    }

    /// Deletes a variant that has no recorded engagement, keeping at least two.
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
                           EXISTS (SELECT 1 FROM variant_hourly h WHERE h.variant_id = v.id) AS engaged,
                           (SELECT count(*) FROM variants o WHERE o.campaign_id = v.campaign_id) AS siblings
                    FROM variants v
                    WHERE v.id = \(variant.uuid) AND v.campaign_id = \(id.uuid) AND v.workspace_id = \(workspace.uuid)
                ), deleted AS (
                    DELETE FROM variants v USING target t
                    WHERE v.id = t.id AND NOT t.engaged AND t.siblings > 2
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
        if outcome.siblings <= 2 { throw ConflictError("a campaign keeps at least two variants; add one before deleting this one") }
        throw ConflictError("the variant has recorded engagement; deleting it would lose that history")
    }
}
