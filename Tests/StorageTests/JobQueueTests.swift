import Foundation
import HeraldCore
import HeraldTestSupport
import PostgresNIO
import Scheduling
import Testing

@testable import Storage

struct JobQueueTests {
    let start = Date(timeIntervalSince1970: 1_767_225_600)

    func states(_ database: Database) async throws -> [Int64: String] {
        var states: [Int64: String] = [:]
        for job in try await JobQueue(database).list(limit: 1_000) { states[job.id] = job.state }
        return states
    }

    @Test func claimsInPriorityThenDueOrderAndNeverTwice() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let queue = JobQueue(database)
            try await queue.enqueue([
                JobRequest(payload: NoopPayload(), runAt: start.addingTimeInterval(-10)),
                JobRequest(payload: NoopPayload(), priority: 5, runAt: start),
                JobRequest(payload: NoopPayload(), runAt: start.addingTimeInterval(60)),  // not due
                JobRequest(payload: NoopPayload(), queue: "other", runAt: start),
            ])
            let first = try await queue.claim(queues: ["default"], limit: 10, worker: "w1", lease: 30, now: start)
            #expect(first.count == 2)
            #expect(first.map(\.attempt) == [1, 1])
            let all = try await queue.list(limit: 10)
            #expect(all.first { $0.priority == 5 }?.state == "running")
            let second = try await queue.claim(queues: ["default"], limit: 10, worker: "w2", lease: 30, now: start)
            #expect(second.isEmpty)
            let later = try await queue.claim(queues: ["default", "other"], limit: 10, worker: "w2", lease: 30, now: start.addingTimeInterval(61))
            #expect(later.count == 2)
        }
    }

    @Test func concurrentClaimersSplitTheWork() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let queue = JobQueue(database)
            try await queue.enqueue(Array(repeating: JobRequest(payload: NoopPayload(), runAt: start), count: 500))
            let claimed = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for worker in 0..<4 {
                    group.addTask {
                        var mine: [Int64] = []
                        while true {
                            let batch = try await queue.claim(queues: ["default"], limit: 25, worker: "w\(worker)", lease: 30, now: start)
                            if batch.isEmpty { return mine }
                            mine += batch.map(\.id)
                        }
                    }
                }
                return try await group.reduce(into: [Int64]()) { $0 += $1 }
            }
            #expect(claimed.count == 500)
            #expect(Set(claimed).count == 500)
        }
    }

    @Test func completionCountsOnlyWhileStillMine() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let queue = JobQueue(database)
            try await queue.enqueue([JobRequest(payload: NoopPayload(), runAt: start)])
            let job = try #require(try await queue.claim(queues: ["default"], limit: 1, worker: "slow", lease: 10, now: start).first)
            // The lease runs out; another worker gets the job.
            #expect(try await queue.rescueExpired(now: start.addingTimeInterval(11)) == 1)
            let again = try #require(
                try await queue.claim(queues: ["default"], limit: 1, worker: "fast", lease: 10, now: start.addingTimeInterval(11)).first
            )
            #expect(again.attempt == 2)
            #expect(try await queue.heartbeat([job], worker: "slow", lease: 10, now: start.addingTimeInterval(12)) == 0)
            #expect(try await queue.complete([job], worker: "slow", now: start.addingTimeInterval(12)) == 0)
            #expect(try await queue.complete([again], worker: "fast", now: start.addingTimeInterval(12)) == 1)
            #expect(try await states(database)[job.id] == "completed")
        }
    }

    @Test func heartbeatKeepsTheLease() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let queue = JobQueue(database)
            try await queue.enqueue([JobRequest(payload: NoopPayload(), runAt: start)])
            let job = try #require(try await queue.claim(queues: ["default"], limit: 1, worker: "w", lease: 10, now: start).first)
            #expect(try await queue.heartbeat([job], worker: "w", lease: 10, now: start.addingTimeInterval(8)) == 1)
            #expect(try await queue.rescueExpired(now: start.addingTimeInterval(15)) == 0)
            #expect(try await queue.rescueExpired(now: start.addingTimeInterval(19)) == 1)
        }
    }

    @Test func failuresRetryWithBackoffThenDieKeepingTheError() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let queue = JobQueue(database)
            try await queue.enqueue([JobRequest(payload: NoopPayload(), runAt: start, maxAttempts: 3)])
            let policy = RetryPolicy(base: 10, cap: 1_000, jitter: 0.5)
            var generator = SystemRandomNumberGenerator()
            var now = start
            for attempt in 1...3 {
                let job = try #require(try await queue.claim(queues: ["default"], limit: 1, worker: "w", lease: 30, now: now).first)
                #expect(job.attempt == attempt)
                let delay = policy.delay(afterAttempt: attempt, using: &generator)
                #expect(delay >= 10 * pow(2, Double(attempt - 1)) * 0.5 && delay <= 10 * pow(2, Double(attempt - 1)))
                try await queue.fail(job, worker: "w", error: "boom \(attempt)", retryAt: now.addingTimeInterval(delay), now: now)
                // Not due before the backoff has passed.
                #expect(
                    try await queue.claim(queues: ["default"], limit: 1, worker: "w", lease: 30, now: now.addingTimeInterval(delay - 0.5)).isEmpty
                )
                now = now.addingTimeInterval(delay)
            }
            let record = try #require(try await queue.list(limit: 1).first)
            #expect(record.state == "dead")
            #expect(record.lastError == "boom 3")
            #expect(try await queue.retryNow(record.id, now: now))
            let revived = try #require(try await queue.claim(queues: ["default"], limit: 1, worker: "w", lease: 30, now: now).first)
            #expect(revived.attempt == 1)
        }
    }

    @Test func permanentFailureIsDeadAtOnce() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let queue = JobQueue(database)
            try await queue.enqueue([JobRequest(payload: NoopPayload(), runAt: start, maxAttempts: 5)])
            let job = try #require(try await queue.claim(queues: ["default"], limit: 1, worker: "w", lease: 30, now: start).first)
            try await queue.fail(job, worker: "w", error: "bad payload", retryAt: nil, now: start)
            #expect(try await queue.list(limit: 1).first?.state == "dead")
        }
    }

    @Test func uniqueKeyIsANoOpWhilePendingOrRunningOnly() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let queue = JobQueue(database)
            let request = JobRequest(payload: NoopPayload(), runAt: start, uniqueKey: "daily-report")
            #expect(try await queue.enqueue([request]) == 1)
            #expect(try await queue.enqueue([request, request]) == 0)
            let job = try #require(try await queue.claim(queues: ["default"], limit: 1, worker: "w", lease: 30, now: start).first)
            #expect(try await queue.enqueue([request]) == 0)  // still running
            #expect(try await queue.complete([job], worker: "w", now: start) == 1)
            #expect(try await queue.enqueue([request]) == 1)  // finished: the key is free again
        }
    }

    @Test func cancelStopsPendingAndRunningJobs() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let queue = JobQueue(database)
            try await queue.enqueue([
                JobRequest(payload: NoopPayload(), runAt: start), JobRequest(payload: NoopPayload(), runAt: start.addingTimeInterval(5)),
            ])
            let running = try #require(try await queue.claim(queues: ["default"], limit: 1, worker: "w", lease: 30, now: start).first)
            let pending = try #require(try await queue.list(state: .pending).first)
            #expect(try await queue.cancel(running.id, now: start))
            #expect(try await queue.cancel(pending.id, now: start))
            #expect(try await queue.cancel(pending.id, now: start) == false)
            #expect(try await queue.complete([running], worker: "w", now: start) == 0)
            #expect(try await queue.claim(queues: ["default"], limit: 5, worker: "w", lease: 30, now: start.addingTimeInterval(10)).isEmpty)
            #expect(try await states(database).values.allSatisfy { $0 == "cancelled" })
        }
    }

    @Test func releaseGivesJobsBackWithoutSpendingAnAttempt() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let queue = JobQueue(database)
            try await queue.enqueue([JobRequest(payload: NoopPayload(), runAt: start)])
            let job = try #require(try await queue.claim(queues: ["default"], limit: 1, worker: "w", lease: 30, now: start).first)
            try await queue.release([job], worker: "w", now: start)
            let again = try #require(try await queue.claim(queues: ["default"], limit: 1, worker: "v", lease: 30, now: start).first)
            #expect(again.attempt == 1)
        }
    }

    @Test func pruneRemovesOldFinishedJobsOnly() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let queue = JobQueue(database)
            try await queue.enqueue([
                JobRequest(payload: NoopPayload(), runAt: start), JobRequest(payload: NoopPayload(), runAt: start.addingTimeInterval(3_600)),
            ])
            let job = try #require(try await queue.claim(queues: ["default"], limit: 1, worker: "w", lease: 30, now: start).first)
            try await queue.complete([job], worker: "w", now: start)
            #expect(try await queue.prune(finishedBefore: start.addingTimeInterval(86_400)) == 1)
            #expect(try await queue.list().count == 1)
        }
    }

    @Test func completeAndClaimIsOneRoundTripThatCompletesOnlyWhatIsStillMine() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let queue = JobQueue(database)
            try await queue.enqueue(Array(repeating: JobRequest(payload: NoopPayload(), runAt: start), count: 5))
            let first = try await queue.completeAndClaim([], queues: ["default"], limit: 2, worker: "w", lease: 30, now: start)
            #expect(first.completed == 0 && first.claimed.count == 2)
            // Another worker's completion of these jobs counts for nothing.
            #expect(try await queue.completeAndClaim(first.claimed, queues: ["default"], limit: 0, worker: "x", lease: 30, now: start).completed == 0)
            let second = try await queue.completeAndClaim(first.claimed, queues: ["default"], limit: 10, worker: "w", lease: 30, now: start)
            #expect(second.completed == 2)
            #expect(second.claimed.map(\.id) == first.claimed.map { $0.id + 2 } + [first.claimed[0].id + 4])
            // Completing twice is a no-op.
            #expect(try await queue.complete(first.claimed, worker: "w", now: start) == 0)
            let done = try await queue.list(state: .completed)
            #expect(Set(done.map(\.id)) == Set(first.claimed.map(\.id)))
            #expect(done.allSatisfy { $0.attempts == 1 && $0.finishedAt == start && $0.lockedBy == nil })
            // Completed jobs live in the history table only; `jobs` refuses a completed row.
            #expect(try await count(database, "SELECT count(*)::int FROM jobs_done") == 2)
            #expect(try await count(database, "SELECT count(*)::int FROM jobs") == 3)
            await #expect(throws: (any Error).self) {
                try await database.client.query("UPDATE jobs SET state = 'completed'", logger: database.logger)
            }
            let stats = try await queue.stats(now: start)
            #expect(stats.counts["noop"] == ["completed": 2, "running": 3])
            #expect(try await queue.list().count == 5)
        }
    }

    @Test func claimingFromSeveralQueuesTakesTheBestJobsOfAll() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let queue = JobQueue(database)
            try await queue.enqueue([
                tagged("a1", queue: "a", priority: 1, runAt: start),
                tagged("b9", queue: "b", priority: 9, runAt: start),
                tagged("a5", queue: "a", priority: 5, runAt: start.addingTimeInterval(-5)),
                tagged("b0", queue: "b", priority: 0, runAt: start),
                tagged("c9", queue: "c", priority: 9, runAt: start),
            ])
            let claimed = try await queue.claim(queues: ["a", "b"], limit: 3, worker: "w", lease: 30, now: start)
            #expect(Set(try claimed.map(tag)) == ["b9", "a5", "a1"])
            let rest = try await queue.claim(queues: ["a", "b"], limit: 3, worker: "w", lease: 30, now: start)
            #expect(try rest.map(tag) == ["b0"])
        }
    }

    @Test func pruneClearsTheHistoryToo() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let queue = JobQueue(database)
            try await queue.enqueue([JobRequest(payload: NoopPayload(), runAt: start), JobRequest(payload: NoopPayload(), runAt: start)])
            let jobs = try await queue.claim(queues: ["default"], limit: 2, worker: "w", lease: 30, now: start)
            try await queue.complete([jobs[0]], worker: "w", now: start)
            try await queue.fail(jobs[1], worker: "w", error: "bad", retryAt: nil, now: start.addingTimeInterval(10))
            // Within retention both are listed, the completed one from the history.
            #expect(Set(try await queue.list().map(\.state)) == ["completed", "dead"])
            #expect(try await queue.prune(finishedBefore: start.addingTimeInterval(5)) == 1)
            #expect(try await queue.list().map(\.state) == ["dead"])
            #expect(try await queue.prune(finishedBefore: start.addingTimeInterval(60)) == 1)
            #expect(try await queue.list().isEmpty)
        }
    }

    /// A no-op job told apart from others by a tag in its payload.
    func tagged(_ tag: String, queue: String, priority: Int, runAt: Date) -> JobRequest {
        JobRequest(job: EncodedJobPayload(kind: .noop, unvalidatedJSON: #"{"tag": "\#(tag)"}"#), queue: queue, priority: priority, runAt: runAt)
    }

    /// The tag of a job made by ``tagged(_:queue:priority:runAt:)``.
    func tag(_ job: ClaimedJob) throws -> String {
        try #require(try JSONSerialization.jsonObject(with: Data(job.payload.utf8)) as? [String: String])["tag"] ?? ""
    }

    func count(_ database: Database, _ sql: PostgresQuery) async throws -> Int {
        for try await value in try await database.client.query(sql, logger: database.logger).decode(Int.self) { return value }
        return -1
    }
}
