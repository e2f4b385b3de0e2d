import Foundation

/// A published post's engagement counts as its platform gave them at one moment (cumulative since posting).
///
/// Snapshots are kept as they come, decreases (an unlike, a deleted reply) included; what turns into events is
/// only the running maximum of each count (see ``EngagementTotals``).
public struct EngagementSnapshot: Sendable, Equatable, Codable {
    /// The publication whose post was read.
    public var publication: UUID
    /// When the counts were read.
    public var takenAt: Date
    /// Which collection of the schedule read them (from 1).
    public var round: Int
    /// Favourites, likes, reactions.
    public var likes: Int
    /// Reblogs, reposts, retweets, quotes, reshares.
    public var shares: Int
    /// Replies and comments.
    public var comments: Int
    /// How often the post was seen, where the platform says (X, LinkedIn); nil where it gives none (Mastodon, Bluesky).
    public var impressions: Int?
    /// The account's followers when the counts were read, when known.
    public var followers: Int?

    public init(
        publication: UUID,
        takenAt: Date,
        round: Int,
        likes: Int,
        shares: Int,
        comments: Int,
        impressions: Int? = nil,
        followers: Int? = nil
    ) {
        self.publication = publication
        self.takenAt = takenAt
        self.round = round
        self.likes = likes
        self.shares = shares
        self.comments = comments
        self.impressions = impressions
        self.followers = followers
    }
}
