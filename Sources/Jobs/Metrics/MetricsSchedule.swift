import Foundation
import HeraldCore
import Storage

/// When a published post's engagement is read back: a decaying schedule, often while a post is new and engagement
/// moves fast, rarely once it has settled.
///
/// ```swift
/// let requests = MetricsSchedule().jobs(for: publication.id, publishedAt: publishedAt)
/// try await JobQueue(database).enqueue(requests)   // 5 collect_metrics jobs: 1 h, 6 h, 24 h, 72 h, 7 d after posting
/// ```
///
/// Each job has a unique key per publication and round (`collect_metrics:<publication>:<round>`), so enqueuing the
/// schedule again while its jobs are pending adds nothing; and collecting again counts nothing twice anyway (the
/// events' ids are derived from the counts, see ``EngagementIncrease``).
public struct MetricsSchedule: Sendable, Equatable {
    /// How long after posting each round reads the counts, in order (round 1 first).
    public var delays: [TimeInterval]

    /// The standard schedule: 1 h, 6 h, 24 h, 72 h and 7 days after posting.
    public static let standardDelays: [TimeInterval] = [3_600, 6 * 3_600, 24 * 3_600, 72 * 3_600, 7 * 86_400]

    /// A schedule; the default is ``standardDelays``.
    ///
    /// - Precondition: `delays` is not empty and increasing.
    public init(delays: [TimeInterval] = MetricsSchedule.standardDelays) {
        precondition(!delays.isEmpty && zip(delays, delays.dropFirst()).allSatisfy { $0 < $1 }, "metric delays must increase")
        self.delays = delays
    }

    /// How many rounds a post's counts are read.
    public var rounds: Int { delays.count }

    /// The `collect_metrics` jobs of a publication that was published at `publishedAt`, one per round.
    ///
    /// - Parameters:
    ///   - publication: The published publication.
    ///   - publishedAt: When the platform took the post.
    ///   - workspace: The publication's workspace (kept on the job for operators), if known.
    public func jobs(for publication: UUID, publishedAt: Date, workspace: WorkspaceID? = nil) -> [JobRequest] {
        delays.enumerated().map { index, delay in
            JobRequest(
                payload: CollectMetricsPayload(publication: publication, round: index + 1),
                queue: "default",
                runAt: publishedAt.addingTimeInterval(delay),
                maxAttempts: 5,
                uniqueKey: Self.uniqueKey(publication: publication, round: index + 1),
                workspace: workspace
            )
        }
    }

    /// The job's unique key: one pending or running collection per publication and round.
    public static func uniqueKey(publication: UUID, round: Int) -> String {
        "collect_metrics:\(publication.uuidString.lowercased()):\(round)"
    }
}
