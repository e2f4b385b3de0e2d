/// A job's kind with its payload as stored JSON: what a schedule keeps and each of its fires enqueues.
public struct EncodedJobPayload: Sendable, Equatable {
    /// The kind of job.
    public let kind: JobKind
    /// The payload, a JSON object.
    public let json: String

    /// Encodes a typed payload; its type gives the kind.
    public init(_ payload: some JobPayload) {
        kind = type(of: payload).kind
        json = payload.json
    }

    /// A kind and a JSON object that a person typed (`herald jobs enqueue`, `herald schedules create --payload`):
    /// the handler checks it against its payload type when the job runs.
    ///
    /// - Precondition: `json` is a JSON object (the commands check it first, naming the flag).
    public init(kind: JobKind, unvalidatedJSON json: String) {
        self.kind = kind
        self.json = json
    }
}
