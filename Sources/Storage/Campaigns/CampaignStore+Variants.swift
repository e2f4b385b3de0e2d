import Foundation
import HeraldCore
import PostgresNIO

extension CampaignStore {
    /// A generated variant to store, with its features (JSON), generator and parent.
    public struct GeneratedVariantRow: Sendable, Equatable {
        /// Unique within the campaign; a key that exists already is skipped.
        public var key: String
        public var text: String
        /// The `variants.features` JSON object.
        public var featuresJSON: String
        /// Which generator made it (`rules/en`, `llm:<model>`...).
        public var generator: String
        /// The variant it challenges, if any.
        public var parent: VariantID?
        /// The channel it was written for (nil: every channel of the campaign).
        public var channel: HeraldCore.Channel?
        /// An email variant's subject, preheader and body.
        public var email: EmailContent?

        public init(
            key: String,
            text: String,
            featuresJSON: String,
            generator: String,
            parent: VariantID? = nil,
            channel: HeraldCore.Channel? = nil,
            email: EmailContent? = nil
        ) {
            self.key = key
            self.text = text
            self.featuresJSON = featuresJSON
            self.generator = generator
            self.parent = parent
            self.channel = channel
            self.email = email
        }
    }

    /// Adds generated variants after the campaign's existing ones, in one statement. Keys the campaign already
    /// has are skipped, so a retried job adds nothing twice. They start pending review (the column's default): a
    /// generated variant is never published before a person approves it.
    ///
    /// - Returns: How many variants were inserted.
    /// - Throws: ``NotFoundError`` when the workspace has no such campaign.
    @discardableResult
    ///
    /// - Parameter approvedBy: Approves the inserted variants as they are written, each approval audited as this actor
    ///   with `reason` (rule-written challengers in a workspace that lets them go out without review); nil: they wait
    ///   for review.
    public func insertGeneratedVariants(
        _ rows: [GeneratedVariantRow],
        into campaign: CampaignID,
        approvedBy approver: AuditActor? = nil,
        reason: String = ""
    ) async throws -> Int {
        guard !rows.isEmpty else { return 0 }
        let exists = try await database.client.query(
            "SELECT 1 FROM campaigns WHERE id = \(campaign.uuid) AND workspace_id = \(workspace.uuid)",
            logger: database.logger
        )
        var found = false
        for try await _ in exists.decode(Int.self) { found = true }
        guard found else { throw NotFoundError(kind: "campaign", id: campaign.description) }
        let keys = rows.map(\.key)
        let texts = rows.map(\.text)
        let features = rows.map(\.featuresJSON)
        let generators = rows.map(\.generator)
        let parents = rows.map { $0.parent?.description ?? "" }
        let channels = rows.map { $0.channel?.rawValue ?? "" }
        let subjects = rows.map { $0.email?.subject ?? "" }
        let preheaders = rows.map { $0.email?.preheader ?? "" }
        let bodies = rows.map { $0.email?.body ?? "" }
        let workspace = workspace
        let logger = database.logger
        return try await database.transaction { connection in
            let inserted = try await connection.query(
                """
                INSERT INTO variants (workspace_id, campaign_id, key, text, features, generator, parent_id, channels, subject, preheader, body,
                                      position, review)
                SELECT \(workspace.uuid), \(campaign.uuid), v.key, v.text, v.features::jsonb, v.generator, NULLIF(v.parent, '')::uuid,
                       CASE WHEN v.channel = '' THEN NULL ELSE ARRAY[v.channel] END, NULLIF(v.subject, ''),
                       CASE WHEN v.subject = '' THEN NULL ELSE v.preheader END, NULLIF(v.body, ''),
                       (SELECT coalesce(max(position), -1) FROM variants WHERE campaign_id = \(campaign.uuid)) + v.position::int,
                       \(approver == nil ? "pending" : "approved")
                FROM unnest(\(keys)::text[], \(texts)::text[], \(features)::text[], \(generators)::text[], \(parents)::text[],
                            \(channels)::text[], \(subjects)::text[], \(preheaders)::text[], \(bodies)::text[])
                     WITH ORDINALITY AS v(key, text, features, generator, parent, channel, subject, preheader, body, position)
                ON CONFLICT (campaign_id, key) DO NOTHING
                RETURNING id, key
                """,
                logger: logger
            )
            var written: [(UUID, String)] = []
            for try await row in inserted.decode((UUID, String).self) { written.append(row) }
            if let approver {
                for (id, key) in written {
                    try await AuditLog.record(
                        "variant.approve",
                        subjectKind: "variant",
                        subjectID: id.uuidString.lowercased(),
                        details: ["campaign": .string(campaign.description), "key": .string(key), "comment": .string(reason)],
                        actor: approver,
                        workspace: workspace,
                        on: connection,
                        logger: logger
                    )
                }
            }
            return written.count
        }
    }
}

extension CampaignStore {
    /// Keeps the brief the campaign's variants were generated from (JSON), for challengers written later.
    public func rememberBrief(_ campaign: CampaignID, json: String) async throws {
        try await database.client.query(
            "UPDATE campaigns SET brief = \(json)::jsonb WHERE workspace_id = \(workspace.uuid) AND id = \(campaign.uuid)",
            logger: database.logger
        )
    }

    /// The brief the campaign's variants were last generated from, as JSON; nil when it has none.
    public func brief(of campaign: CampaignID) async throws -> String? {
        let rows = try await database.client.query(
            "SELECT brief::text FROM campaigns WHERE workspace_id = \(workspace.uuid) AND id = \(campaign.uuid)",
            logger: database.logger
        )
        for try await brief in rows.decode(String?.self) { return brief }
        throw NotFoundError(kind: "campaign", id: campaign.description)
    }
}
