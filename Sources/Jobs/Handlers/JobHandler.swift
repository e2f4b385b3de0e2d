import Foundation
import HeraldCore
import Storage

/// Runs the jobs of one kind: the kind of its ``Payload`` type. Throwing retries the job (with backoff)
/// until its attempts run out; throwing ``PermanentJobError`` makes it dead at once.
public protocol JobHandler: Sendable {
    /// The payload this handler reads; its ``JobPayload/kind`` is the kind this handler runs.
    associatedtype Payload: JobPayload
    /// Runs `job`, whose stored payload has been decoded into `payload`.
    func run(_ job: ClaimedJob, payload: Payload, context: JobContext) async throws
}

extension JobHandler {
    /// The job kind this handler runs.
    public var kind: JobKind { Payload.kind }

    /// Decodes the job's payload (a bad one fails the job permanently, with a clear message) and runs the job.
    public func run(_ job: ClaimedJob, context: JobContext) async throws {
        let payload: Payload
        do {
            payload = try Payload(json: job.payload)
        } catch {
            throw PermanentJobError("job \(job.id) (\(job.kind)): payload \(ValidationError(decoding: error))")
        }
        try await run(job, payload: payload, context: context)
    }
}
