import Foundation

/// One request that may have posted a publication, recorded before it went out.
public struct DeliveryAttempt: Sendable, Equatable {
    /// How an attempt ended.
    public enum Outcome: String, Sendable, CaseIterable {
        case published, transient, auth
        case rateLimited = "rate_limited"
        case rejectedContent = "rejected_content"
        case unknownOutcome = "unknown_outcome"
        /// Reconciliation found the post an earlier attempt made.
        case found
        /// Reconciliation found no post: the earlier attempt certainly did not post.
        case absent
    }

    public var number: Int
    public var startedAt: Date
    public var finishedAt: Date?
    /// nil: its worker stopped before recording an outcome (killed between the platform's answer and the record).
    public var outcome: Outcome?
    public var httpStatus: Int?
    public var message: String?
    public var worker: String

    public init(
        number: Int,
        startedAt: Date,
        finishedAt: Date? = nil,
        outcome: Outcome? = nil,
        httpStatus: Int? = nil,
        message: String? = nil,
        worker: String
    ) {
        self.number = number
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.outcome = outcome
        self.httpStatus = httpStatus
        self.message = message
        self.worker = worker
    }
}

extension [DeliveryAttempt] {
    /// Whether an earlier attempt may have posted without Herald knowing: the latest attempt that decided anything has
    /// no outcome or an unknown one. Such a publication is reconciled before anything is posted again.
    public var isUnsettled: Bool {
        for attempt in reversed() {
            switch attempt.outcome {
            case nil, .unknownOutcome: return true
            case .found, .absent, .published: return false
            case .transient, .auth, .rateLimited, .rejectedContent: continue
            }
        }
        return false
    }
}
