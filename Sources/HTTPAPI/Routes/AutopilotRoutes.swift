import Autopilot
import Foundation
import HeraldCore
import Hummingbird
import Jobs
import Logging
import Storage

/// A campaign's autopilot through the API: `GET|PUT /v1/campaigns/{campaign}/autopilot`, and
/// `POST /v1/autopilot/actions/{id}/apply|dismiss|undo` (recorded as decided by the token's name).
struct AutopilotRoutes {
    let database: Database

    func add(to group: RouterGroup<APIContext>) {
        group.get("campaigns/{campaign}/autopilot", use: show)
        group.put("campaigns/{campaign}/autopilot", use: set)
        group.post("autopilot/actions/{id}/apply", use: apply)
        group.post("autopilot/actions/{id}/dismiss", use: dismiss)
        group.post("autopilot/actions/{id}/undo", use: undo)
    }

    @Sendable func show(_ request: Request, context: APIContext) async throws -> AutopilotStore.Overview {
        let campaign = try await context.campaign(in: database)
        return try await Self.response(campaign, store: AutopilotStore(database, workspace: try context.requirePrincipal().workspace))
    }

    @Sendable func set(_ request: Request, context: APIContext) async throws -> AutopilotStore.Overview {
        let body = try await request.decode(as: SetAutopilotRequest.self, context: context)
        let campaign = try await context.campaign(in: database)
        let store = AutopilotStore(database, workspace: try context.requirePrincipal().workspace)
        let rails = try body.rails.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        try await store.setSettings(campaign: campaign.id, mode: body.mode.rawValue, railsJSON: rails)
        context.logger.info(
            "autopilot set",
            metadata: ["herald.campaign.id": "\(campaign.id)", "herald.autopilot.mode": "\(body.mode.rawValue)"]
        )
        return try await Self.response(campaign, store: store)
    }

    @Sendable func apply(_ request: Request, context: APIContext) async throws -> AutopilotStore.Action {
        try await decide(context) { store, action, campaign, actor in
            try await AutopilotRunner.apply(action, store: store, campaign: campaign, by: actor, at: Date())
        }
    }

    @Sendable func dismiss(_ request: Request, context: APIContext) async throws -> AutopilotStore.Action {
        try await decide(context) { store, action, _, actor in try await store.dismiss(action.id, by: actor, at: Date()) }
    }

    @Sendable func undo(_ request: Request, context: APIContext) async throws -> AutopilotStore.Action {
        try await decide(context) { store, action, _, actor in try await AutopilotRunner.undo(action, store: store, by: actor, at: Date()) }
    }

    /// Runs `body` on the action named in the path, as the token's name (`token:<name>`).
    func decide(
        _ context: APIContext,
        _ body: (AutopilotStore, AutopilotStore.Action, Campaign, AuditActor) async throws -> AutopilotStore.Action
    ) async throws -> AutopilotStore.Action {
        let principal = try context.requirePrincipal()
        let text = try context.parameters.require("id")
        guard let id = UUID(uuidString: text) else { throw ValidationError(field: "id", reason: "\"\(text)\" is not an autopilot action id") }
        let store = AutopilotStore(database, workspace: principal.workspace)
        let action = try await store.action(id)
        let campaign = try await CampaignStore(database, workspace: principal.workspace).find(action.campaign)
        let actor = principal.actor
        let decided = try await body(store, action, campaign, actor)
        context.logger.info(
            "autopilot action decided",
            metadata: ["herald.autopilot.action": "\(decided.id)", "herald.autopilot.state": "\(decided.state)", "herald.actor": "\(actor.decider)"]
        )
        return decided
    }

    static func response(_ campaign: Campaign, store: AutopilotStore) async throws -> AutopilotStore.Overview {
        try await store.overview(campaign: campaign.id, slug: campaign.slug)
    }
}

extension AutopilotStore.Overview: ResponseEncodable {}
extension AutopilotStore.Action: ResponseEncodable {}
