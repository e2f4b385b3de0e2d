/// How many engagement events of each kind a publication's pulled-back counts stand for: the `k`-th like is event
/// number `k` of kind `like`, and so on; `exposure` counts its `impression` events.
///
/// Totals only grow: a publication's totals are the running maximum of what its snapshots showed, so an unlike
/// followed by a new like counts one like, not two.
public struct EngagementTotals: Sendable, Equatable, Hashable, Codable {
    public var likes: Int
    public var shares: Int
    public var comments: Int
    /// Impressions reported by the platform, or where it reports none the follower reach at posting time; never
    /// below any of the other counts (successes cannot exceed trials).
    public var exposure: Int

    public init(likes: Int = 0, shares: Int = 0, comments: Int = 0, exposure: Int = 0) {
        self.likes = likes
        self.shares = shares
        self.comments = comments
        self.exposure = exposure
    }

    /// Nothing counted yet.
    public static let zero = EngagementTotals()

    /// Each count's larger value of the two: the running maximum.
    public func maximum(_ other: EngagementTotals) -> EngagementTotals {
        EngagementTotals(
            likes: max(likes, other.likes),
            shares: max(shares, other.shares),
            comments: max(comments, other.comments),
            exposure: max(exposure, other.exposure)
        )
    }

    /// The count of one event kind (0 for kinds pulled-back counts never make: click, conversion).
    public subscript(kind: EventKind) -> Int {
        switch kind {
        case .like: likes
        case .share: shares
        case .comment: comments
        case .impression: exposure
        case .click, .conversion, .open, .unsubscribe, .bounce: 0
        }
    }

    /// The totals a snapshot stands for, or nil when its exposure is unknown (the platform gives no impressions and
    /// the follower reach at posting time is not known): then none of its counts may become events yet, since
    /// successes without trials would break the binomial model.
    ///
    /// - Parameters:
    ///   - snapshot: The counts as the platform gave them (negative counts are read as 0).
    ///   - reach: The account's followers when the post was published, for platforms without impressions.
    public init?(_ snapshot: EngagementSnapshot, reach: Int?) {
        guard let seen = snapshot.impressions ?? reach else { return nil }
        likes = max(0, snapshot.likes)
        shares = max(0, snapshot.shares)
        comments = max(0, snapshot.comments)
        // A post boosted beyond the account's followers can gather more likes than followers: exposure is raised to the
        // highest count so that every success has its trial.
        exposure = max(0, seen, likes, shares, comments)
    }
}
