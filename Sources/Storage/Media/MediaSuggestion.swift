import Foundation
import HeraldCore

/// Alt text or a caption idea a vision model suggested from a variant's image, waiting for (or after) review.
///
/// Encodes as `{"id", "variant_id", "media_id", "position", "kind", "text", "model", "state", "created_variant_id"?, "created_at"}`.
public struct MediaSuggestion: Sendable, Equatable, Codable {
    /// What the suggestion is for.
    public enum Kind: String, Sendable, Codable {
        case altText = "alt_text"
        case caption
    }

    /// Where it is in review: nothing generated is applied until a person accepts it.
    public enum State: String, Sendable, Codable {
        case pending, accepted, rejected
    }

    public var id: UUID
    public var variant: VariantID
    public var media: UUID
    /// Which of the variant's images (0-based).
    public var position: Int
    public var kind: Kind
    public var text: String
    /// The model that wrote it.
    public var model: String
    public var state: State
    /// For an accepted caption idea: the variant it became.
    public var createdVariant: VariantID?
    public var createdAt: Date

    public init(
        id: UUID,
        variant: VariantID,
        media: UUID,
        position: Int,
        kind: Kind,
        text: String,
        model: String,
        state: State,
        createdVariant: VariantID? = nil,
        createdAt: Date
    ) {
        self.id = id
        self.variant = variant
        self.media = media
        self.position = position
        self.kind = kind
        self.text = text
        self.model = model
        self.state = state
        self.createdVariant = createdVariant
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, position, kind, text, model, state
        case variant = "variant_id"
        case media = "media_id"
        case createdVariant = "created_variant_id"
        case createdAt = "created_at"
    }
}
