import Foundation

/// A failure that clears at a known time (a platform's rate limit resets): the job is retried at ``retryAt`` instead
/// of after the worker's backoff (it still uses up an attempt).
public struct RetryJobLater: Error, Sendable, CustomStringConvertible {
    /// When to run the job again.
    public var retryAt: Date
    /// What happened, kept as the job's last error.
    public var reason: String

    public init(at retryAt: Date, reason: String) {
        self.retryAt = retryAt
        self.reason = reason
    }

    public var description: String { reason }
}
