import Foundation

/// One rich-text facet of a Bluesky post (`app.bsky.richtext.facet`): a UTF-8 byte range of the post's text and what
/// it means (a link, a mention, a hashtag).
///
/// Follows the lexicon `app.bsky.richtext.facet` and docs.bsky.app "Links, mentions, and rich text": the range's start
/// is inclusive, its end exclusive, both counted in bytes of the UTF-8 encoded text.
public struct BlueskyFacet: Codable, Sendable, Equatable {
    /// A facet's range (`#byteSlice`).
    public struct ByteSlice: Codable, Sendable, Equatable {
        public var byteStart: Int
        public var byteEnd: Int

        public init(byteStart: Int, byteEnd: Int) {
            self.byteStart = byteStart
            self.byteEnd = byteEnd
        }
    }

    /// What a facet means.
    public enum Feature: Codable, Sendable, Equatable {
        /// `app.bsky.richtext.facet#link`: the complete URL.
        case link(uri: String)
        /// `app.bsky.richtext.facet#mention`: the mentioned account's DID (the text shows its handle).
        case mention(did: String)
        /// `app.bsky.richtext.facet#tag`: the hashtag without its `#`.
        case tag(String)

        enum CodingKeys: String, CodingKey {
            case type = "$type"
            case uri
            case did
            case tag
        }

        /// The feature's `$type`.
        public var type: String {
            switch self {
            case .link: "app.bsky.richtext.facet#link"
            case .mention: "app.bsky.richtext.facet#mention"
            case .tag: "app.bsky.richtext.facet#tag"
            }
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let type = try container.decode(String.self, forKey: .type)
            switch type {
            case "app.bsky.richtext.facet#link": self = .link(uri: try container.decode(String.self, forKey: .uri))
            case "app.bsky.richtext.facet#mention": self = .mention(did: try container.decode(String.self, forKey: .did))
            case "app.bsky.richtext.facet#tag": self = .tag(try container.decode(String.self, forKey: .tag))
            default:
                throw DecodingError.dataCorruptedError(forKey: .type, in: container, debugDescription: "unknown facet feature \(type)")
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(type, forKey: .type)
            switch self {
            case .link(let uri): try container.encode(uri, forKey: .uri)
            case .mention(let did): try container.encode(did, forKey: .did)
            case .tag(let tag): try container.encode(tag, forKey: .tag)
            }
        }
    }

    public var index: ByteSlice
    public var features: [Feature]

    public init(byteStart: Int, byteEnd: Int, features: [Feature]) {
        self.index = ByteSlice(byteStart: byteStart, byteEnd: byteEnd)
        self.features = features
    }

    /// The text the facet covers in `text` (nil when the range does not fit the text's UTF-8 bytes).
    public func slice(of text: String) -> String? {
        let bytes = Array(text.utf8)
        guard index.byteStart >= 0, index.byteStart <= index.byteEnd, index.byteEnd <= bytes.count else { return nil }
        return String(validating: bytes[index.byteStart..<index.byteEnd], as: UTF8.self)
    }
}
