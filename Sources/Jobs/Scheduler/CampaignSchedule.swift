import Foundation
import HeraldCore
import Scheduling
import Storage

/// A campaign's publication schedule: each fire runs `publish_campaign`, which posts every variant on every channel.
public enum CampaignSchedule {
    /// Checks the spec's schedule fully (cron fields, time zone), naming the field that is wrong.
    public static func validate(_ spec: CampaignSpec) throws(ValidationError) -> Schedule? {
        guard let schedule = spec.schedule else { return nil }
        return try validate(schedule)
    }

    /// Checks a schedule fully (cron fields, time zone), naming the field that is wrong (`schedule.cron`, `schedule.tz`).
    public static func validate(_ schedule: CampaignSpec.Schedule) throws(ValidationError) -> Schedule {
        do {
            return try Schedule(parsing: schedule.cron, timeZone: schedule.tz)
        } catch {
            // Errors name a cron field ("minute") or the whole rule; re-home them under the spec's keys.
            switch error.field {
            case "tz": throw ValidationError(field: "schedule.tz", reason: error.reason)
            case "cron", "schedule": throw ValidationError(field: "schedule.cron", reason: error.reason)
            default: throw ValidationError(field: "schedule.cron", reason: "\(error.field) \(error.reason)")
            }
        }
    }

    /// The schedule to store with the campaign (see ``CampaignStore/create(_:schedule:)``).
    public static func attachment(_ schedule: Schedule, now: Date) -> CampaignStore.ScheduleAttachment {
        CampaignStore.ScheduleAttachment(
            rule: schedule.ruleText,
            timeZone: schedule.timeZone.identifier,
            nextFireAt: schedule.nextFire(after: now),
            now: now
        )
    }
}

extension CampaignSchedule {
    /// Applies a lifecycle action to a campaign: its schedules start again from `now` on start and resume.
    public static func apply(
        _ action: CampaignAction,
        to campaign: CampaignID,
        in store: CampaignStore,
        now: Date
    ) async throws
        -> CampaignStore.Transition
    {
        if action == .start || action == .resume, let problem = try await store.publishingProblem(try await store.find(campaign)) {
            throw problem
        }
        return try await store.apply(action, to: campaign, now: now) { stored in
            try SchedulePlanner.schedule(of: stored).nextFire(after: now)
        }
    }
}
