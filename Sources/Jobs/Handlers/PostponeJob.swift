import Foundation

/// Thrown by a handler that cannot run its job yet for a reason that is not a failure (a platform's rate limit, an
/// account waiting to be reconnected, another worker sending to the account): the job waits until `until` and the
/// attempt is not counted.
public struct PostponeJob: Error, CustomStringConvertible, Sendable {
    public var until: Date
    public var reason: String

    public init(until: Date, reason: String) {
        self.until = until
        self.reason = reason
    }

    public var description: String { "postponed until \(until): \(reason)" }
}
