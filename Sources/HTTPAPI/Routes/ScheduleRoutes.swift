import Foundation
import HeraldCore
import HTTPTypes
import Hummingbird
import Jobs
import Logging
import NIOCore
import PostgresNIO
import Scheduling
import Storage

/// Publication schedules: `/v1/campaigns/{campaign}/schedules` and `/v1/schedules/{id}`.
struct ScheduleRoutes {
    let database: Database
    let settings: ServerSettings

    func add(to group: RouterGroup<APIContext>) {
        group.get("campaigns/{campaign}/schedules", use: listForCampaign)
        group.post("campaigns/{campaign}/schedules", use: create)
        group.get("schedules", use: list)
        group.get("schedules/{schedule}", use: show)
        group.delete("schedules/{schedule}", use: delete)
    }

    struct Schedules: Encodable {
        var schedules: [StoredSchedule]
    }

    @Sendable func list(_ request: Request, context: APIContext) async throws -> Response {
        let workspace = try context.requirePrincipal().workspace
        return try JSONResponse.make(Schedules(schedules: try await ScheduleStore(database).list(workspace: workspace)))
    }

    @Sendable func listForCampaign(_ request: Request, context: APIContext) async throws -> Response {
        let workspace = try context.requirePrincipal().workspace
        let campaign = try await context.campaign(in: database)
        return try JSONResponse.make(Schedules(schedules: try await ScheduleStore(database).list(workspace: workspace, campaign: campaign.id)))
    }

    /// Creates a schedule that publishes the campaign (every variant on every channel) at each fire.
    ///
    /// Body: `{"rule": "0 9 * * MON-FRI" | "every:1h" | "once:2026-12-01T09:00:00Z", "tz"?, "name"?,
    /// "active_from"?, "active_until"?, "missed"?: "fire_once" | "skip"}`.
    @Sendable func create(_ request: Request, context: APIContext) async throws -> Response {
        let body = try await JSONBody.object(
            of: request, limit: settings.maximumBodyBytes, allowed: ["rule", "tz", "name", "active_from", "active_until", "missed"]
        )
        let workspace = try context.requirePrincipal().workspace
        let campaign = try await context.campaign(in: database)
        let rule = try body.requiredString("rule")
        let zone = try body.string("tz") ?? "UTC"
        let missed = try body.string("missed") ?? "fire_once"
        guard ["fire_once", "skip"].contains(missed) else {
            throw ValidationError(field: "missed", reason: "\"\(missed)\" is not one of fire_once, skip")
        }
        let from = try body.timestamp("active_from")
        let until = try body.timestamp("active_until")
        if let from, let until, until <= from {
            throw ValidationError(field: "active_until", reason: "must be after active_from")
        }
        let now = Date()
        var schedule: Schedule
        do {
            schedule = try Schedule(parsing: rule, timeZone: zone, anchor: now)
        } catch {
            throw ValidationError(field: error.field == "tz" ? "tz" : "rule", reason: error.field == "tz" || error.field == "schedule" || error.field == "cron" ? error.reason : "\(error.field) \(error.reason)")
        }
        schedule.activeFrom = from
        schedule.activeUntil = until
        let stored = try await ScheduleStore(database).create(
            name: try body.string("name") ?? "campaign:\(campaign.slug):\(schedule.ruleText)",
            rule: schedule.ruleText, timeZone: schedule.timeZone.identifier, workspace: workspace, campaign: campaign.id,
            missed: missed, job: EncodedJobPayload(PublishCampaignPayload(campaign: campaign.id, workspace: workspace)),
            activeFrom: from, activeUntil: until, nextFireAt: schedule.nextFire(after: now), now: now
        )
        return try JSONResponse.make(stored, status: .created)
    }

    func scheduleID(_ context: APIContext) throws -> UUID {
        let text = try context.parameters.require("schedule")
        guard let id = UUID(uuidString: text) else { throw NotFoundError(kind: "schedule", id: text) }
        return id
    }

    @Sendable func show(_ request: Request, context: APIContext) async throws -> Response {
        let workspace = try context.requirePrincipal().workspace
        return try JSONResponse.make(try await ScheduleStore(database).find(try scheduleID(context), workspace: workspace))
    }

    @Sendable func delete(_ request: Request, context: APIContext) async throws -> Response {
        let workspace = try context.requirePrincipal().workspace
        try await ScheduleStore(database).delete(try scheduleID(context), workspace: workspace)
        return Response(status: .noContent)
    }
}
