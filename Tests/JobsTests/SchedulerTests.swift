import Foundation
import HeraldCore
import HeraldTestSupport
import Jobs
import PostgresNIO
import Scheduling
import Testing

@testable import Storage

struct SchedulerTests {
    let start = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

    func createMinutely(_ database: Database, name: String = "minutely", missed: MissedFirePolicy = .fireOnce, at now: Date) async throws {
        let schedule = try Schedule(parsing: "* * * * *")
        _ = try await ScheduleStore(database).create(
            name: name,
            rule: "* * * * *",
            timeZone: "UTC",
            workspace: nil,
            missed: missed.rawValue,
            job: EncodedJobPayload(ProbePayload()),
            nextFireAt: schedule.nextFire(after: now),
            now: now
        )
    }

    func count(_ database: Database, _ sql: PostgresQuery) async throws -> Int {
        for try await value in try await database.client.query(sql, logger: database.logger).decode(Int.self) { return value }
        return -1
    }

    @Test func twoSchedulersFireEachMinuteOnce() async throws {
        try await TestDatabase.withFreshDatabase { database in
            try await createMinutely(database, at: start)
            let clock = ManualClock(now: start)
            let schedulers = (0..<2).map { _ in SchedulerService(database: database, clock: clock, logger: TestDatabase.logger) }
            let store = ScheduleStore(database)
            for second in stride(from: 15, through: 3_600, by: 15) {
                clock.advance(to: start.addingTimeInterval(Double(second)))
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for scheduler in schedulers { group.addTask { try await scheduler.runOnce(store) } }
                    try await group.waitForAll()
                }
            }
            #expect(try await count(database, "SELECT count(*)::int FROM schedule_fires") == 60)
            #expect(try await count(database, "SELECT count(*)::int FROM jobs WHERE kind = 'probe'") == 60)
            #expect(try await count(database, "SELECT count(DISTINCT run_at)::int FROM jobs") == 60)
            // Every fire names the job it became.
            #expect(
                try await count(database, "SELECT count(*)::int FROM schedule_fires f JOIN jobs j ON j.id = f.job_id AND j.run_at = f.fire_at") == 60
            )
        }
    }

    @Test func onePassHandlesEveryDueScheduleEvenPastOneBatch() async throws {
        try await TestDatabase.withFreshDatabase { database in
            for index in 0..<250 { try await createMinutely(database, name: "minutely-\(index)", at: start) }
            let clock = ManualClock(now: start.addingTimeInterval(61))
            let scheduler = SchedulerService(database: database, clock: clock, logger: TestDatabase.logger)
            #expect(try await scheduler.runOnce(ScheduleStore(database)) == 250)
            #expect(try await count(database, "SELECT count(*)::int FROM jobs") == 250)
            #expect(try await count(database, "SELECT count(*)::int FROM schedule_fires WHERE job_id IS NULL") == 0)
        }
    }

    @Test(arguments: [(MissedFirePolicy.fireOnce, 1), (.skip, 0)])
    func afterDowntimeMissedFiresRunOnceOrNeverNotInABurst(policy: MissedFirePolicy, expected: Int) async throws {
        try await TestDatabase.withFreshDatabase { database in
            try await createMinutely(database, missed: policy, at: start)
            let clock = ManualClock(now: start.addingTimeInterval(2 * 3_600 + 30))  // two hours of downtime
            // Fires more than 10 s old count as missed.
            let scheduler = SchedulerService(database: database, clock: clock, planner: SchedulePlanner(grace: 10), logger: TestDatabase.logger)
            try await scheduler.runOnce(ScheduleStore(database))
            #expect(try await count(database, "SELECT count(*)::int FROM jobs") == expected)
            if expected == 1 {
                let runAt = try await JobQueue(database).list().first?.runAt
                #expect(runAt == start.addingTimeInterval(2 * 3_600))  // the latest missed fire
            }
            // Back to normal: the next minute fires on time.
            clock.advance(to: start.addingTimeInterval(2 * 3_600 + 61))
            try await scheduler.runOnce(ScheduleStore(database))
            #expect(try await count(database, "SELECT count(*)::int FROM jobs") == expected + 1)
        }
    }

    @Test func plannerRespectsTheActiveWindowAndOnce() throws {
        let stored = StoredSchedule(
            id: UUID(),
            workspace: nil,
            name: "once",
            rule: "once:2026-01-01T00:10:00Z",
            timeZone: "UTC",
            activeFrom: nil,
            activeUntil: nil,
            missed: "fire_once",
            jobKind: JobKind.noop.rawValue,
            jobQueue: "default",
            jobPayload: NoopPayload().json,
            jobMaxAttempts: 1,
            nextFireAt: start.addingTimeInterval(600),
            lastFireAt: nil,
            createdAt: start
        )
        let plan = try SchedulePlanner().plan(stored, now: start.addingTimeInterval(601))
        #expect(plan.fires == [start.addingTimeInterval(600)])
        #expect(plan.next == nil)
        var windowed = try Schedule(parsing: "every:1h", anchor: start)
        windowed.activeUntil = start.addingTimeInterval(3 * 3_600)
        #expect(windowed.fires(after: start, through: start.addingTimeInterval(86_400)).count == 3)
    }
}
