import Foundation

/// An image stored with a variant: what channel rules check (type, size, dimensions) and its alt text.
///
/// Encodes as `{"id", "mime_type", "width", "height", "byte_size", "alt", "source_url"?}` in a variant's `images`.
public struct VariantMedia: Sendable, Equatable, Codable {
    /// The stored image's id (`media.id`).
    public var id: UUID
    /// `image/png`, `image/jpeg`, `image/gif` or `image/webp`, read from the bytes.
    public var mimeType: String
    /// Width and height in pixels, read from the image's header.
    public var width: Int
    public var height: Int
    /// The image's size in bytes.
    public var byteSize: Int
    /// The description read to people who cannot see the image.
    public var altText: String
    /// Where it was fetched from, for an image given by URL.
    public var sourceURL: String?

    public init(id: UUID, mimeType: String, width: Int, height: Int, byteSize: Int, altText: String, sourceURL: String? = nil) {
        self.id = id
        self.mimeType = mimeType
        self.width = width
        self.height = height
        self.byteSize = byteSize
        self.altText = altText
        self.sourceURL = sourceURL
    }

    enum CodingKeys: String, CodingKey {
        case id, width, height, alt
        case mimeType = "mime_type"
        case byteSize = "byte_size"
        case sourceURL = "source_url"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(UUID.self, forKey: .id)
        mimeType = try container.decode(String.self, forKey: .mimeType)
        width = try container.decode(Int.self, forKey: .width)
        height = try container.decode(Int.self, forKey: .height)
        byteSize = try container.decode(Int.self, forKey: .byteSize)
        altText = try container.decode(String.self, forKey: .alt)
        sourceURL = try container.decodeIfPresent(String.self, forKey: .sourceURL)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(mimeType, forKey: .mimeType)
        try container.encode(width, forKey: .width)
        try container.encode(height, forKey: .height)
        try container.encode(byteSize, forKey: .byteSize)
        try container.encode(altText, forKey: .alt)
        try container.encodeIfPresent(sourceURL, forKey: .sourceURL)
    }
}
