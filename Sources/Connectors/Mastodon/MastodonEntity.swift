import Foundation

/// The parts of Mastodon's entities Herald reads (docs.joinmastodon.org `entities/Status`, `entities/MediaAttachment`,
/// `entities/Account`, `entities/Error`).
public enum MastodonEntity {
    /// A status (`entities/Status`).
    public struct Status: Codable, Sendable, Equatable {
        public var id: String
        /// The status's page, when the instance gives one (`uri` otherwise).
        public var url: String?
        public var uri: String?
        /// The status's HTML.
        public var content: String
        public var favouritesCount: Int
        public var reblogsCount: Int
        public var repliesCount: Int

        public init(
            id: String,
            url: String? = nil,
            uri: String? = nil,
            content: String,
            favouritesCount: Int = 0,
            reblogsCount: Int = 0,
            repliesCount: Int = 0
        ) {
            self.id = id
            self.url = url
            self.uri = uri
            self.content = content
            self.favouritesCount = favouritesCount
            self.reblogsCount = reblogsCount
            self.repliesCount = repliesCount
        }

        enum CodingKeys: String, CodingKey {
            case id, url, uri, content
            case favouritesCount = "favourites_count"
            case reblogsCount = "reblogs_count"
            case repliesCount = "replies_count"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decode(String.self, forKey: .id)
            url = try container.decodeIfPresent(String.self, forKey: .url)
            uri = try container.decodeIfPresent(String.self, forKey: .uri)
            content = try container.decodeIfPresent(String.self, forKey: .content) ?? ""
            favouritesCount = try container.decodeIfPresent(Int.self, forKey: .favouritesCount) ?? 0
            reblogsCount = try container.decodeIfPresent(Int.self, forKey: .reblogsCount) ?? 0
            repliesCount = try container.decodeIfPresent(Int.self, forKey: .repliesCount) ?? 0
        }

        /// Whether the status links to `url`: in its HTML the link is an `href` (its shown text is shortened), with `&`
        /// written `&amp;`. A longer URL that starts with `url` (`…/r/abc` in `…/r/abcd`) does not count.
        public func links(to url: String) -> Bool {
            guard !url.isEmpty else { return false }
            let html = content.replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&#39;", with: "'")
                .replacingOccurrences(of: "&quot;", with: "\"")
            var searchStart = html.startIndex
            while let found = html.range(of: url, range: searchStart..<html.endIndex) {
                guard found.upperBound < html.endIndex else { return true }
                if Self.endsURL(html[found.upperBound]) { return true }
                searchStart = html.index(after: found.lowerBound)
            }
            return false
        }

        /// Characters that cannot continue a URL in a status's HTML (a closing quote, a tag, a space, trailing punctuation).
        static func endsURL(_ character: Character) -> Bool {
            character.isWhitespace || "\"'<>)]}.,;!?".contains(character)
        }
    }

    /// A media attachment (`entities/MediaAttachment`); `url` is null while the full-size file is still processing.
    public struct MediaAttachment: Codable, Sendable, Equatable {
        public var id: String
        public var url: String?
        public var description: String?

        public init(id: String, url: String? = nil, description: String? = nil) {
            self.id = id
            self.url = url
            self.description = description
        }
    }

    /// An account (`entities/Account`; `verify_credentials` answers a CredentialAccount with the same fields).
    public struct Account: Codable, Sendable, Equatable {
        public var id: String
        /// `user` on the account's own instance, `user@domain` elsewhere.
        public var acct: String
        public var followersCount: Int?

        public init(id: String, acct: String, followersCount: Int? = nil) {
            self.id = id
            self.acct = acct
            self.followersCount = followersCount
        }

        enum CodingKeys: String, CodingKey {
            case id
            case acct
            case followersCount = "followers_count"
        }
    }

    /// An error answer (`entities/Error`): `{"error": "...", "error_description": "..."}`.
    public struct Error: Codable, Sendable, Equatable {
        public var error: String
        public var errorDescription: String?

        enum CodingKeys: String, CodingKey {
            case error
            case errorDescription = "error_description"
        }
    }
}
