import Foundation
import HeraldCore
import Scheduling
import Storage

/// Decides, for a due stored schedule, which fires become jobs and when it fires next.
public struct SchedulePlanner: Sendable {
    /// Fires older than this (clock seconds) when the scheduler sees them count as missed.
    public var grace: TimeInterval

    public init(grace: TimeInterval = 60) {
        self.grace = grace
    }

    /// Parses a stored schedule's rule.
    public static func schedule(of stored: StoredSchedule) throws -> Schedule {
        var schedule = try Schedule(parsing: stored.rule, timeZone: stored.timeZone, anchor: stored.createdAt)
        schedule.activeFrom = stored.activeFrom
        schedule.activeUntil = stored.activeUntil
        return schedule
    }

    /// The plan for `stored` at `now`: due fires since the last one considered, filtered by the missed-fire policy.
    public func plan(_ stored: StoredSchedule, now: Date) throws -> ScheduleStore.Plan {
        let schedule = try Self.schedule(of: stored)
        // Fires after the last one considered; the first due fire is next_fire_at itself.
        let since = stored.lastFireAt ?? stored.nextFireAt.map { $0.addingTimeInterval(-0.001) } ?? now
        // Walk every due fire (a long outage may hold many), keeping the most recent ones: the
        // policy needs only the on-time fires and the latest missed one.
        var due: [Date] = []
        var cursor = since
        while true {
            let chunk = schedule.fires(after: cursor, through: now, limit: 1_000)
            guard let last = chunk.last else { break }
            due = Array((due + chunk).suffix(1_000))
            cursor = last
        }
        let policy = MissedFirePolicy(rawValue: stored.missed) ?? .fireOnce
        let chosen = policy.select(due, now: now, grace: grace)
        return ScheduleStore.Plan(fires: chosen, lastConsidered: due.last, next: schedule.nextFire(after: max(now, due.last ?? now)))
    }
}
