import Foundation
import HeraldCore

/// A job to put on the queue: a typed payload (which gives the kind) and when and how to run it.
public struct JobRequest: Sendable, Equatable {
    /// The handler that runs it.
    public var kind: JobKind
    /// The payload's JSON object.
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

    /// A job running `payload` (its type gives the kind), e.g. `JobRequest(payload: PublishPayload(publication: id), runAt: now)`.
    public init(
        payload: some JobPayload,
        queue: String = "default",
        priority: Int = 0,
        runAt: Date,
        maxAttempts: Int = 5,
        uniqueKey: String? = nil,
        workspace: WorkspaceID? = nil
    ) {
        self.init(
            job: EncodedJobPayload(payload),
            queue: queue,
            priority: priority,
            runAt: runAt,
            maxAttempts: maxAttempts,
            uniqueKey: uniqueKey,
            workspace: workspace
        )
    }

    /// A job from an encoded payload: a schedule's, or one a person typed (`herald jobs enqueue`).
    public init(
        job: EncodedJobPayload,
        queue: String = "default",
        priority: Int = 0,
        runAt: Date,
        maxAttempts: Int = 5,
        uniqueKey: String? = nil,
        workspace: WorkspaceID? = nil
    ) {
        self.kind = job.kind
        self.payload = job.json
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
    /// The kind's name as stored (a row may name a kind this version does not know; see ``JobKind``).
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
