import Foundation
import HeraldCore

/// A publication as it goes to a connector: rendered for its channel (every link already the tracking link) and
/// checked against the channel's rules.
public struct OutgoingPost: Sendable {
    /// The publication's id.
    public var publication: UUID
    public var channel: Channel
    /// The post's text, as posted.
    public var text: String
    /// The publication's tracking link (`<public URL>/r/<code>`): unique per publication, so a post found among an
    /// account's recent posts by it is this publication's.
    public var trackingURL: String
    /// Images with their alt text, in order.
    public var media: [MediaAttachment]
    /// What a webhook receives besides the text.
    public var campaign: String
    public var variant: String
    public var scheduledAt: Date

    public init(
        publication: UUID,
        channel: Channel,
        text: String,
        trackingURL: String,
        media: [MediaAttachment] = [],
        campaign: String = "",
        variant: String = "",
        scheduledAt: Date = Date(timeIntervalSince1970: 0)
    ) {
        self.publication = publication
        self.channel = channel
        self.text = text
        self.trackingURL = trackingURL
        self.media = media
        self.campaign = campaign
        self.variant = variant
        self.scheduledAt = scheduledAt
    }
}

/// An image that goes out with a post.
public struct MediaAttachment: Sendable, Equatable {
    /// The image's bytes.
    public var data: Data
    /// Its media type: `image/png`, `image/jpeg`, `image/gif`, `image/webp`.
    public var mimeType: String
    /// The description read to people who cannot see it (required).
    public var altText: String

    public init(data: Data, mimeType: String, altText: String) {
        self.data = data
        self.mimeType = mimeType
        self.altText = altText
    }
}

/// A post on a platform, as the platform named it.
public struct PostedPost: Sendable, Equatable, Codable {
    /// The platform's id (a status id, an AT URI, a tweet id, a post URN, a webhook receiver's `id`).
    public var id: String
    /// Where a person sees it, when the platform gives one.
    public var url: String?
    /// A Bluesky record's content id (`cid`), needed to refer to the record.
    public var cid: String?

    public init(id: String, url: String? = nil, cid: String? = nil) {
        self.id = id
        self.url = url
        self.cid = cid
    }
}

/// A post's engagement counts at one moment, as the platform gives them (cumulative since posting).
public struct EngagementCounts: Sendable, Equatable, Codable {
    /// Favourites, likes, reactions.
    public var likes: Int
    /// Reblogs, reposts, retweets, quotes, reshares.
    public var shares: Int
    /// Replies and comments.
    public var comments: Int
    /// How often the post was seen, when the platform says (X, LinkedIn); nil where it gives none (Mastodon, Bluesky).
    public var impressions: Int?

    public init(likes: Int = 0, shares: Int = 0, comments: Int = 0, impressions: Int? = nil) {
        self.likes = likes
        self.shares = shares
        self.comments = comments
        self.impressions = impressions
    }
}
