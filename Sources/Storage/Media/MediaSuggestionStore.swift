import Channels
import Connectors
import Foundation
import HeraldCore
import PostgresNIO

/// Alt text and caption ideas suggested from variants' images, kept for review: nothing is applied until a person
/// accepts it. Always within one workspace.
public struct MediaSuggestionStore: Sendable {
    let database: Database
    /// The workspace every query is scoped to.
    public let workspace: WorkspaceID

    public init(_ database: Database, workspace: WorkspaceID) {
        self.database = database
        self.workspace = workspace
    }

    /// A variant's text and its image at `position` with its bytes, for a vision model.
    ///
    /// - Throws: ``NotFoundError`` when the workspace has no such variant; ``ValidationError`` when it has no image there.
    public func image(of variant: VariantID, position: Int) async throws -> (text: String, media: UUID, data: Data, mimeType: String) {
        let rows = try await database.client.query(
            """
            SELECT v.text, m.id, m.bytes, m.mime_type
            FROM variants v
            LEFT JOIN variant_media vm ON vm.variant_id = v.id AND vm.position = \(position)
            LEFT JOIN media m ON m.id = vm.media_id
            WHERE v.workspace_id = \(workspace.uuid) AND v.id = \(variant.uuid)
            """,
            logger: database.logger
        )
        for try await (text, media, data, mimeType) in rows.decode((String, UUID?, Data?, String?).self) {
            guard let media, let data, let mimeType else {
                throw ValidationError(
                    field: "variant",
                    reason: position == 0 ? "has no image to describe" : "has no image #\(position + 1)"
                )
            }
            return (text, media, data, mimeType)
        }
        throw NotFoundError(kind: "variant", id: variant.description)
    }

    /// Stores a model's alt text and caption ideas for a variant's image, all pending review.
    @discardableResult
    public func add(
        variant: VariantID,
        media: UUID,
        position: Int,
        altText: String,
        captions: [String],
        model: String,
        prompt: String
    ) async throws -> [MediaSuggestion] {
        let kinds = [MediaSuggestion.Kind.altText.rawValue] + captions.map { _ in MediaSuggestion.Kind.caption.rawValue }
        let texts = [altText] + captions
        let rows = try await database.client.query(
            """
            INSERT INTO media_suggestions (workspace_id, variant_id, media_id, position, kind, text, model, prompt, created_at)
            SELECT \(workspace.uuid), \(variant.uuid), \(media), \(position), s.kind, s.text, \(model), \(prompt),
                   clock_timestamp() + (s.n * interval '1 microsecond')
            FROM unnest(\(kinds)::text[], \(texts)::text[]) WITH ORDINALITY AS s(kind, text, n)
            RETURNING id
            """,
            logger: database.logger
        )
        var ids: [UUID] = []
        for try await id in rows.decode(UUID.self) { ids.append(id) }
        return try await list(variant: variant).filter { ids.contains($0.id) }
    }

    /// A variant's suggestions, oldest first.
    public func list(variant: VariantID) async throws -> [MediaSuggestion] {
        try await suggestions(variant: variant, id: nil)
    }

    /// One suggestion.
    ///
    /// - Throws: ``NotFoundError`` when the workspace has none with this id.
    public func find(_ id: UUID) async throws -> MediaSuggestion {
        guard let found = try await suggestions(variant: nil, id: id).first else {
            throw NotFoundError(kind: "suggestion", id: id.uuidString.lowercased())
        }
        return found
    }

    /// Accepts a pending suggestion: alt text replaces the image's alt text (within its channels' limits); a caption
    /// idea becomes a new variant of the same campaign with the same channels and image, whose provenance says where
    /// it came from (`generator` `vision:<model>`, `parent` the described variant). Either way the variant is then
    /// pending review: generated content is approved by a person before it is published.
    ///
    /// - Throws: ``ConflictError`` when it was decided already; ``ValidationError`` when the text breaks a channel rule.
    public func accept(_ id: UUID, trackingLinkLength: Int = CampaignStore.defaultTrackingLinkLength) async throws -> MediaSuggestion {
        let suggestion = try await find(id)
        guard suggestion.state == .pending else { throw ConflictError("the suggestion was \(suggestion.state.rawValue) already") }
        var created: VariantID?
        switch suggestion.kind {
        case .altText:
            try await MediaStore(database, workspace: workspace).setAltText(
                suggestion.text,
                variant: suggestion.variant,
                position: suggestion.position
            )
        case .caption:
            created = try await addCaptionVariant(suggestion, trackingLinkLength: trackingLinkLength)
        }
        try await decide(id, .accepted, created: created)
        return try await find(id)
    }

    /// Rejects a pending suggestion; nothing changes.
    ///
    /// - Throws: ``ConflictError`` when it was decided already.
    public func reject(_ id: UUID) async throws -> MediaSuggestion {
        let suggestion = try await find(id)
        guard suggestion.state == .pending else { throw ConflictError("the suggestion was \(suggestion.state.rawValue) already") }
        try await decide(id, .rejected, created: nil)
        return try await find(id)
    }

    private func addCaptionVariant(_ suggestion: MediaSuggestion, trackingLinkLength: Int) async throws -> VariantID {
        let rows = try await database.client.query(
            "SELECT campaign_id, channels FROM variants WHERE workspace_id = \(workspace.uuid) AND id = \(suggestion.variant.uuid)",
            logger: database.logger
        )
        var parent: (campaign: UUID, channels: [String]?)?
        for try await row in rows.decode((UUID, [String]?).self) { parent = row }
        guard let parent else { throw NotFoundError(kind: "variant", id: suggestion.variant.description) }
        let campaigns = CampaignStore(database, workspace: workspace)
        let images = try await reloaded(suggestion.variant)
        let variant = try await campaigns.addVariant(
            to: CampaignID(parent.campaign),
            key: nil,
            text: suggestion.text,
            channels: parent.channels?.compactMap(HeraldCore.Channel.init(rawValue:)),
            images: images,
            trackingLinkLength: trackingLinkLength
        )
        try await database.client.query(
            """
            UPDATE variants SET generator = \("vision:" + suggestion.model), parent_id = \(suggestion.variant.uuid), review = 'pending',
                                written_by = NULL
            WHERE id = \(variant.id.uuid) AND workspace_id = \(workspace.uuid)
            """,
            logger: database.logger
        )
        return variant.id
    }

    /// The variant's images as uploads again (same bytes, so stored once), for a variant made from one of its captions.
    private func reloaded(_ variant: VariantID) async throws -> [ImageUpload] {
        let attachments = try await MediaStore(database, workspace: workspace).attachments(variant: variant)
        var uploads: [ImageUpload] = []
        for (index, attachment) in attachments.enumerated() {
            uploads.append(try ImageUpload(data: attachment.data, altText: attachment.altText, field: "images[\(index)]"))
        }
        return uploads
    }

    private func decide(_ id: UUID, _ state: MediaSuggestion.State, created: VariantID?) async throws {
        try await database.client.query(
            """
            UPDATE media_suggestions SET state = \(state.rawValue), decided_at = now(), created_variant_id = \(created?.uuid)
            WHERE id = \(id) AND workspace_id = \(workspace.uuid) AND state = 'pending'
            """,
            logger: database.logger
        )
    }

    private func suggestions(variant: VariantID?, id: UUID?) async throws -> [MediaSuggestion] {
        let rows = try await database.client.query(
            """
            SELECT id, variant_id, media_id, position, kind, text, model, state, created_variant_id, created_at
            FROM media_suggestions
            WHERE workspace_id = \(workspace.uuid)
              AND (\(variant?.uuid)::uuid IS NULL OR variant_id = \(variant?.uuid)::uuid)
              AND (\(id)::uuid IS NULL OR id = \(id)::uuid)
            ORDER BY created_at, id
            """,
            logger: database.logger
        )
        var found: [MediaSuggestion] = []
        for try await (id, variant, media, position, kind, text, model, state, created, createdAt) in rows.decode(
            (UUID, UUID, UUID, Int, String, String, String, String, UUID?, Date).self
        ) {
            found.append(
                MediaSuggestion(
                    id: id,
                    variant: VariantID(variant),
                    media: media,
                    position: position,
                    kind: MediaSuggestion.Kind(rawValue: kind) ?? .caption,
                    text: text,
                    model: model,
                    state: MediaSuggestion.State(rawValue: state) ?? .pending,
                    createdVariant: created.map(VariantID.init),
                    createdAt: createdAt
                )
            )
        }
        return found
    }
}
