import Foundation
import HeraldCore

extension JobQueue {
    /// Puts jobs on the queue in the same transaction as `completion`: a handler whose effect is its follow-up job
    /// (the next look of `decide_winner`) either completes and leaves the follow-up, or neither.
    ///
    /// - Returns: How many were inserted (a request whose unique key is held by a pending or running job is skipped).
    /// - Throws: ``JobNoLongerHeld`` when the job is no longer the worker's (then nothing is enqueued).
    @discardableResult
    public func enqueue(_ requests: [JobRequest], completing completion: JobCompletion) async throws -> Int {
        try Self.check(requests)
        return try await JobCompletion.run(completion, in: database) { connection in
            try await Self.insert(requests, connection: connection, logger: database.logger)
        }
    }
}
