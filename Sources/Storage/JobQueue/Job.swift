import Foundation
import HeraldCore

/// A job to put on the queue.
public struct JobRequest: Sendable, Equatable {
    /// The handler that runs it (`publish`, `analyze`, `report`, `noop`...).
    public var kind: String
    /// JSON arguments for the handler.
    public var payload: String
    public var queue: String
    /// Higher runs first among due jobs.
    public var priority: Int
    /// Not before this instant.
    public var runAt: Date
    public var maxAttempts: Int
    /// While a job with this key is pending or running, enqueueing another is a no-op.
    public var uniqueKey: String?
    public var workspace: WorkspaceID?

    public init(
        kind: String,
        payload: String = "{}",
        queue: String = "default",
        priority: Int = 0,
        runAt: Date,
        maxAttempts: Int = 5,
        uniqueKey: String? = nil,
        workspace: WorkspaceID? = nil
    ) {
        self.kind = kind
        self.payload = payload
        self.queue = queue
        self.priority = priority
        self.runAt = runAt
        self.maxAttempts = maxAttempts
        self.uniqueKey = uniqueKey
        self.workspace = workspace
    }
}

/// A job a worker holds: it may run it until its lease ends, and complete it only while it is still its own.
public struct ClaimedJob: Sendable, Equatable {
    public var id: Int64
    public var kind: String
    public var queue: String
    public var payload: String
    /// This run's attempt number (1 for the first run); with the worker id, what "still mine" checks.
    public var attempt: Int
    public var maxAttempts: Int
    public var runAt: Date
    public var workspace: WorkspaceID?
}

/// A job as operators see it.
public struct JobRecord: Sendable, Equatable, Codable {
    public var id: Int64
    public var kind: String
    public var queue: String
    public var state: String
    public var priority: Int
    public var attempts: Int
    public var maxAttempts: Int
    public var runAt: Date
    public var lockedBy: String?
    public var lockedUntil: Date?
    public var lastError: String?
    public var uniqueKey: String?
    public var createdAt: Date
    public var finishedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, kind, queue, state, priority, attempts
        case maxAttempts = "max_attempts"
        case runAt = "run_at"
        case lockedBy = "locked_by"
        case lockedUntil = "locked_until"
        case lastError = "last_error"
        case uniqueKey = "unique_key"
        case createdAt = "created_at"
        case finishedAt = "finished_at"
    }
}

/// The job states.
public enum JobState: String, Sendable, CaseIterable, Codable {
    case pending, running, completed, failed, dead, cancelled
}
