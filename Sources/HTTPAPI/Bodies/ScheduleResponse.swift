import Foundation
import HeraldCore
import Hummingbird
import Storage

/// A publication (or report) schedule: its rule, time zone, window and the job each fire enqueues.
struct ScheduleResponse: ResponseEncodable {
    var id: UUID
    var workspace: WorkspaceID?
    var name: String
    var rule: String
    var timeZone: String
    var activeFrom: Date?
    var activeUntil: Date?
    var missed: String
    var jobKind: String
    var jobQueue: String
    var jobPayload: String
    var jobMaxAttempts: Int
    var nextFireAt: Date?
    var lastFireAt: Date?
    var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, workspace, name, rule, missed
        case timeZone = "tz"
        case activeFrom = "active_from"
        case activeUntil = "active_until"
        case jobKind = "job_kind"
        case jobQueue = "job_queue"
        case jobPayload = "job_payload"
        case jobMaxAttempts = "job_max_attempts"
        case nextFireAt = "next_fire_at"
        case lastFireAt = "last_fire_at"
        case createdAt = "created_at"
    }

    init(_ schedule: StoredSchedule) {
        id = schedule.id
        workspace = schedule.workspace
        name = schedule.name
        rule = schedule.rule
        timeZone = schedule.timeZone
        activeFrom = schedule.activeFrom
        activeUntil = schedule.activeUntil
        missed = schedule.missed
        jobKind = schedule.jobKind
        jobQueue = schedule.jobQueue
        jobPayload = schedule.jobPayload
        jobMaxAttempts = schedule.jobMaxAttempts
        nextFireAt = schedule.nextFireAt
        lastFireAt = schedule.lastFireAt
        createdAt = schedule.createdAt
    }
}
