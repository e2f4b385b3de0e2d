import HeraldCore
import Storage

/// Does nothing: for measuring the queue itself.
public struct NoopHandler: JobHandler {
    public init() {}
    public func run(_ job: ClaimedJob, payload: NoopPayload, context: JobContext) async throws {}
}
