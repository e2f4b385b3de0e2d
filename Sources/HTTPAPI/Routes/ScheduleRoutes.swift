import Foundation
import HeraldCore
import Hummingbird
import Jobs
import Scheduling
import Storage

/// Publication schedules: `/v1/campaigns/{campaign}/schedules` and `/v1/schedules/{id}`.
struct ScheduleRoutes {
    let database: Database

    func add(to group: RouterGroup<APIContext>) {
        group.get("campaigns/{campaign}/schedules", use: listForCampaign)
        group.post("campaigns/{campaign}/schedules", use: create)
        group.get("schedules", use: list)
        group.get("schedules/{schedule}", use: show)
        group.delete("schedules/{schedule}", use: delete)
    }

    @Sendable func list(_ request: Request, context: APIContext) async throws -> SchedulesResponse {
        let workspace = try context.requirePrincipal().workspace
        return SchedulesResponse(schedules: try await ScheduleStore(database).list(workspace: workspace).map(ScheduleResponse.init))
    }

    @Sendable func listForCampaign(_ request: Request, context: APIContext) async throws -> SchedulesResponse {
        let workspace = try context.requirePrincipal().workspace
        let campaign = try await context.campaign(in: database)
        return SchedulesResponse(
            schedules: try await ScheduleStore(database).list(workspace: workspace, campaign: campaign.id).map(ScheduleResponse.init)
        )
    }

    /// Creates a schedule that publishes the campaign (every variant on every channel) at each fire.
    ///
    /// Body: ``CreateScheduleRequest``.
    @Sendable func create(_ request: Request, context: APIContext) async throws -> EditedResponse<ScheduleResponse> {
        let body = try await request.decode(as: CreateScheduleRequest.self, context: context)
        let workspace = try context.requirePrincipal().workspace
        let campaign = try await context.campaign(in: database)
        let rule = body.rule
        let zone = body.timeZone ?? "UTC"
        let missed = body.missed ?? "fire_once"
        guard ["fire_once", "skip"].contains(missed) else {
            throw ValidationError(field: "missed", reason: "\"\(missed)\" is not one of fire_once, skip")
        }
        let from = body.activeFrom
        let until = body.activeUntil
        if let from, let until, until <= from {
            throw ValidationError(field: "active_until", reason: "must be after active_from")
        }
        let now = Date()
        var schedule: Schedule
        do {
            schedule = try Schedule(parsing: rule, timeZone: zone, anchor: now)
        } catch {
            throw ValidationError(
                field: error.field == "tz" ? "tz" : "rule",
                reason: error.field == "tz" || error.field == "schedule" || error.field == "cron" ? error.reason : "\(error.field) \(error.reason)"
            )
        }
        schedule.activeFrom = from
        schedule.activeUntil = until
        let stored = try await ScheduleStore(database).create(
            name: body.name ?? "campaign:\(campaign.slug):\(schedule.ruleText)",
            rule: schedule.ruleText,
            timeZone: schedule.timeZone.identifier,
            workspace: workspace,
            campaign: campaign.id,
            missed: missed,
            job: EncodedJobPayload(PublishCampaignPayload(campaign: campaign.id, workspace: workspace)),
            activeFrom: from,
            activeUntil: until,
            nextFireAt: schedule.nextFire(after: now),
            now: now
        )
        return EditedResponse(status: .created, response: ScheduleResponse(stored))
    }

    func scheduleID(_ context: APIContext) throws -> UUID {
        let text = try context.parameters.require("schedule")
        guard let id = UUID(uuidString: text) else { throw NotFoundError(kind: "schedule", id: text) }
        return id
    }

    @Sendable func show(_ request: Request, context: APIContext) async throws -> ScheduleResponse {
        let workspace = try context.requirePrincipal().workspace
        return ScheduleResponse(try await ScheduleStore(database).find(try scheduleID(context), workspace: workspace))
    }

    @Sendable func delete(_ request: Request, context: APIContext) async throws -> HTTPResponse.Status {
        let workspace = try context.requirePrincipal().workspace
        try await ScheduleStore(database).delete(try scheduleID(context), workspace: workspace)
        return .noContent
    }
}
