import Foundation
import HeraldCore
import HeraldTestSupport
import Jobs
import PostgresNIO
import Scheduling
import Testing

@testable import Storage

/// Runs audience jobs one at a time on a test's clock, as a worker would: claims the next due job of a kind, runs it
/// with its handler, and completes it unless it was postponed (then it waits, as the worker leaves it).
struct AudienceJobRunner {
    let database: Database
    let clock: ManualClock
    var mail: AudienceMail?
    var sms: AudienceSMS?

    /// A count from the database.
    func count(_ sql: PostgresQuery) async throws -> Int {
        for try await value in try await database.client.query(sql, logger: database.logger).decode(Int.self) { return value }
        return 0
    }

    /// Claims the next due job of `kind` (at the clock's time) and runs it with `handler`.
    ///
    /// - Returns: The postponement the handler asked for, if any (the job is then postponed, as the worker does).
    @discardableResult
    func runNext(_ kind: JobKind, _ handler: some JobHandler, lease: TimeInterval = 60) async throws -> PostponeJob? {
        let queue = JobQueue(database)
        let now = clock.now()
        let jobs = try await queue.claim(queues: ["default"], limit: 10, worker: "w1", lease: lease, now: now)
        let job = try #require(jobs.first { $0.kind == kind.rawValue }, "no due \(kind.rawValue) job among \(jobs.map(\.kind))")
        let others = jobs.filter { $0.id != job.id }
        if !others.isEmpty { try await queue.release(others, worker: "w1", now: now) }
        let context = JobContext(database: database, clock: clock, logger: TestDatabase.logger, worker: "w1", mail: mail, sms: sms)
        do {
            try await handler.run(job, context: context)
        } catch let postponed as PostponeJob {
            try await queue.postpone(job, worker: "w1", until: postponed.until, reason: postponed.reason)
            return postponed
        }
        try await queue.complete([job], worker: "w1", now: clock.now())
        return nil
    }

    /// Queues a `send_messages` run of `campaign` at the clock's time (a retried or repeated job).
    func queueSend(_ campaign: Campaign) async throws {
        try await JobQueue(database).enqueue([
            JobRequest(payload: SendMessagesPayload(campaign: campaign.id, workspace: campaign.workspaceID), runAt: clock.now())
        ])
    }
}
