import Foundation

/// An `app.bsky.feed.post` record as Herald writes it (lexicon `app.bsky.feed.post`; docs.bsky.app "Posts"):
/// `$type`, `text` (at most 300 graphemes), `createdAt`, `facets`, and an `app.bsky.embed.images` embed with alt text.
public struct BlueskyPostRecord: Encodable, Sendable, Equatable {
    public var text: String
    /// ISO 8601 with milliseconds and `Z` (`2026-11-30T20:30:00.000Z`).
    public var createdAt: String
    public var facets: [BlueskyFacet]
    public var images: [Image]

    /// One image of the embed (`app.bsky.embed.images#image`): the uploaded blob and its alt text.
    public struct Image: Encodable, Sendable, Equatable {
        public var image: BlueskyBlob
        public var alt: String

        public init(image: BlueskyBlob, alt: String) {
            self.image = image
            self.alt = alt
        }
    }

    public init(text: String, createdAt: Date, facets: [BlueskyFacet] = [], images: [Image] = []) {
        self.text = text
        self.createdAt = Self.timestamp(createdAt)
        self.facets = facets
        self.images = images
    }

    enum CodingKeys: String, CodingKey {
        case type = "$type"
        case text, createdAt, facets, embed
    }

    struct ImagesEmbed: Encodable {
        var type = "app.bsky.embed.images"
        var images: [Image]
        enum CodingKeys: String, CodingKey {
            case type = "$type"
            case images
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(BlueskyAPI.postCollection, forKey: .type)
        try container.encode(text, forKey: .text)
        try container.encode(createdAt, forKey: .createdAt)
        if !facets.isEmpty { try container.encode(facets, forKey: .facets) }
        if !images.isEmpty { try container.encode(ImagesEmbed(images: images), forKey: .embed) }
    }

    /// `createdAt` as the docs prefer it: UTC with a trailing `Z`.
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
