import Foundation

/// Why a platform call did not succeed, classified so the delivery state machine knows what follows.
public struct ConnectorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The classes of failure, and what follows each.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// A 5xx, a reset connection, a refused connection: retry with backoff.
        case transient
        /// A 429 or exhausted rate-limit headers: wait until ``ConnectorError/retryAt`` (the platform's reset).
        case rateLimited = "rate_limited"
        /// The credentials are refused and a refresh (when there is one) did not help: the account needs reconnecting.
        case auth
        /// The platform refuses the post itself (too long, duplicate, bad media): failed now, never retried.
        case rejectedContent = "rejected_content"
        /// The request may have reached the platform (a timeout after sending): reconcile before posting again.
        case unknownOutcome = "unknown_outcome"
    }

    public var kind: Kind
    /// The platform's own message (or what happened on the wire), as it should be shown to a person.
    public var message: String
    /// The HTTP status, when there was an answer.
    public var status: Int?
    /// For rate_limited: when the platform's limit resets (nil: it did not say).
    public var retryAt: Date?

    public init(_ kind: Kind, _ message: String, status: Int? = nil, retryAt: Date? = nil) {
        self.kind = kind
        self.message = message
        self.status = status
        self.retryAt = retryAt
    }

    public var description: String {
        "\(kind.rawValue)\(status.map { " (HTTP \($0))" } ?? ""): \(message)"
    }
}
