import Foundation
import HeraldCore
import Scheduling
import Storage

/// A campaign's publication schedule: each fire runs `publish_campaign`, which posts every variant on every channel.
public enum CampaignSchedule {
    /// Checks the spec's schedule fully (cron fields, time zone), naming the field that is wrong.
    public static func validate(_ spec: CampaignSpec) throws(ValidationError) -> Schedule? {
        guard let schedule = spec.schedule else { return nil }
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

    /// Stores the campaign's schedule (named `campaign:<slug>`, removed with the campaign).
    @discardableResult
    public static func attach(_ schedule: Schedule, to campaign: Campaign, database: Database, now: Date) async throws -> StoredSchedule {
        try await ScheduleStore(database).create(
            name: "campaign:\(campaign.slug)", rule: schedule.ruleText, timeZone: schedule.timeZone.identifier,
            workspace: campaign.workspaceID, campaign: campaign.id, jobKind: "publish_campaign",
            jobPayload: #"{"campaign_id": "\#(campaign.id)", "workspace_id": "\#(campaign.workspaceID)"}"#,
            nextFireAt: schedule.nextFire(after: now), now: now
        )
    }
}
