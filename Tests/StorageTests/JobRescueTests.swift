import Foundation
import HeraldCore
import HeraldTestSupport
import PostgresNIO
import Synchronization
import Testing

@testable import Storage

/// Rescue by session lock and completion in the effect's transaction, against the real database.
struct JobRescueTests {
    /// A counter shared with callbacks.
    final class Counter: Sendable {
        let value = Atomic<Int>(0)
        func add() { value.add(1, ordering: .relaxed) }
        var count: Int { value.load(ordering: .relaxed) }
    }

    let start = Date(timeIntervalSince1970: 1_767_225_600)

    func count(_ database: Database, _ sql: PostgresQuery) async throws -> Int {
        for try await value in try await database.client.query(sql, logger: database.logger).decode(Int.self) { return value }
        return -1
    }

    @Test func jobsOfAWorkerWhoseSessionLockIsGoneAreFreedAtOnceOthersAreLeftAlone() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let queue = JobQueue(database)
            try await queue.enqueue(Array(repeating: JobRequest(payload: NoopPayload(), runAt: start), count: 6))
            let alive = Int64.random(in: 1...Int64.max)
            let gone = Int64.random(in: 1...Int64.max)
            let held = Counter()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await queue.holdSessionLock(alive) { held.add() } }
                #expect(try await waitUntil { held.count == 1 })
                // Two jobs of a live worker, two of a worker whose lock no session holds, two claimed without a lock.
                let mine = try await queue.claim(queues: ["default"], limit: 2, worker: "alive", lease: 3_600, now: start, ownerLock: alive)
                let orphans = try await queue.claim(queues: ["default"], limit: 2, worker: "gone", lease: 3_600, now: start, ownerLock: gone)
                let unlocked = try await queue.claim(queues: ["default"], limit: 2, worker: "tool", lease: 3_600, now: start)
                #expect(mine.count == 2 && orphans.count == 2 && unlocked.count == 2)

                #expect(try await queue.rescueOrphaned(now: start) == 2)
                #expect(
                    try await count(database, "SELECT count(*)::int FROM jobs WHERE state = 'pending' AND last_error LIKE 'worker gone is gone%'")
                        == 2
                )
                #expect(try await queue.complete(orphans, worker: "gone", now: start) == 0)
                #expect(try await queue.rescueOrphaned(now: start) == 0)

                // The live worker stops: its lock is released and its jobs are free at the next check; its lease is not involved.
                group.cancelAll()
                try await group.waitForAll()
                #expect(try await queue.rescueOrphaned(now: start) == 2)
                #expect(try await count(database, "SELECT count(*)::int FROM jobs WHERE state = 'running'") == 2)
                #expect(try await queue.complete(unlocked, worker: "tool", now: start) == 2)
            }
        }
    }

    @Test func aRescuedJobsAttemptsStillRunOutIntoDead() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let queue = JobQueue(database)
            try await queue.enqueue([JobRequest(payload: NoopPayload(), runAt: start, maxAttempts: 2)])
            for _ in 0..<2 {
                _ = try await queue.claim(
                    queues: ["default"],
                    limit: 1,
                    worker: "w",
                    lease: 3_600,
                    now: start,
                    ownerLock: Int64.random(in: 1...Int64.max)
                )
                #expect(try await queue.rescueOrphaned(now: start) == 1)
            }
            // A job that kills its worker every time does not run for ever.
            #expect(try await count(database, "SELECT count(*)::int FROM jobs WHERE state = 'dead'") == 1)
        }
    }

    @Test func anEffectAndItsJobsCompletionCommitTogetherOrNotAtAll() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let queue = JobQueue(database)
            try await queue.enqueue([JobRequest(payload: ProbePayload(), runAt: start), JobRequest(payload: ProbePayload(), runAt: start)])
            let jobs = try await queue.claim(queues: ["default"], limit: 2, worker: "w", lease: 10, now: start)
            #expect(jobs.count == 2)

            // Still the worker's: the record and the completion commit, and the worker is told.
            let committed = Counter()
            try await queue.recordProbe(
                jobs[0],
                worker: "w",
                now: start,
                completing: JobCompletion(job: jobs[0], worker: "w", finishedAt: start) { committed.add() }
            )
            #expect(committed.count == 1)
            #expect(try await count(database, "SELECT count(*)::int FROM jobs_done WHERE id = \(jobs[0].id)") == 1)
            #expect(try await count(database, "SELECT count(*)::int FROM job_probes WHERE job_id = \(jobs[0].id)") == 1)
            // Completing it again in a batch finds nothing left to complete.
            #expect(try await queue.complete([jobs[0]], worker: "w", now: start) == 0)

            // Rescued meanwhile: the record is rolled back, the job's new run makes it.
            #expect(try await queue.rescueExpired(now: start.addingTimeInterval(11)) == 1)
            await #expect(throws: JobNoLongerHeld.self) {
                try await queue.recordProbe(
                    jobs[1],
                    worker: "w",
                    now: start,
                    completing: JobCompletion(job: jobs[1], worker: "w", finishedAt: start) { committed.add() }
                )
            }
            #expect(committed.count == 1)
            #expect(try await count(database, "SELECT count(*)::int FROM job_probes WHERE job_id = \(jobs[1].id)") == 0)
            #expect(try await count(database, "SELECT count(*)::int FROM jobs WHERE id = \(jobs[1].id) AND state = 'pending'") == 1)
        }
    }
}
