import Foundation

/// What a campaign's publications came to: how many are in each state, every failed one with its reason, and whether
/// the campaign is a dry run (then nothing was posted, and the report says so first).
public struct PublicationSummary: Sendable, Equatable, Codable {
    /// How many publications are in one state.
    public struct StateCount: Sendable, Equatable, Codable {
        /// scheduled, sending, published, failed, cancelled or dry_run.
        public var state: String
        public var count: Int

        public init(state: String, count: Int) {
            self.state = state
            self.count = count
        }
    }

    /// A publication that failed, and why.
    public struct Failed: Sendable, Equatable, Codable {
        /// The publication's id (what `herald publications retry` takes).
        public var id: String
        /// The variant's key.
        public var variant: String
        public var channel: String
        /// The connected account's name, if it had one.
        public var account: String?
        public var scheduledAt: Date
        /// transient, rate_limited, auth, rejected_content, unknown_outcome, rules or no_account, when known.
        public var failureClass: String?
        /// The platform's own message, or why it could not go out.
        public var reason: String

        public init(
            id: String,
            variant: String,
            channel: String,
            account: String?,
            scheduledAt: Date,
            failureClass: String?,
            reason: String
        ) {
            self.id = id
            self.variant = variant
            self.channel = channel
            self.account = account
            self.scheduledAt = scheduledAt
            self.failureClass = failureClass
            self.reason = reason
        }
    }

    /// The words every format uses for a dry run.
    public static let dryRunNotice = "dry run: nothing was posted"

    /// The campaign is a rehearsal: its publications went to the table-only sink.
    public var dryRun: Bool
    /// Publications per state, states with none left out, in the order scheduled, sending, published, failed,
    /// cancelled, dry_run.
    public var counts: [StateCount]
    /// Failed publications, newest first (at most ``maximumListed``; ``counts`` has them all).
    public var failed: [Failed]

    /// The most failed publications a report lists.
    public static let maximumListed = 100

    public init(dryRun: Bool, counts: [StateCount], failed: [Failed]) {
        self.dryRun = dryRun
        self.counts = counts
        self.failed = failed
    }

    /// How many failed in all.
    public var failedCount: Int { counts.first { $0.state == "failed" }?.count ?? failed.count }

    /// `3 published · 1 failed · 2 scheduled`, or `no publications yet`.
    public var countsLine: String {
        let parts = counts.filter { $0.count > 0 }.map { "\($0.count) \($0.state == "dry_run" ? "dry run" : $0.state)" }
        return parts.isEmpty ? "no publications yet" : parts.joined(separator: " · ")
    }

    /// `rejected_content: Text too long` — the class (when known) and the reason.
    public static func describe(_ failed: Failed) -> String {
        failed.failureClass.map { "\($0): \(failed.reason)" } ?? failed.reason
    }
}
