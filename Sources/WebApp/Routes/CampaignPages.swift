import Foundation
import HTTPTypes
import HeraldCore
import Hummingbird
import Jobs
import Logging
import Scheduling
import Storage

/// The campaign pages: `GET /app` (the workspace's campaigns), `GET /app/campaigns/{campaign}` (variants, schedule
/// with its next five fires, publications), and the lifecycle buttons `POST /app/campaigns/{campaign}/pause|resume`
/// (editor or above).
struct CampaignPages<Context: RequestContext & RemoteAddressRequestContext> {
    let app: WebApp<Context>

    func add(to group: RouterGroup<Context>) {
        group.get("") { request, context in try await list(request, context: context) }
        group.get("campaigns/:campaign") { request, context in try await show(request, context: context) }
        group.post("campaigns/:campaign/:action") { request, context in try await change(request, context: context) }
    }

    struct ListModel {
        struct Row {
            var slug: String
            var name: String
            var status: String
            var channels: String
            var variants: Int
        }

        var campaigns: [Row]
        // Stored, not computed: Mustache reads a model's stored properties only.
        var hasCampaigns: Bool

        init(campaigns: [Row]) {
            self.campaigns = campaigns
            hasCampaigns = !campaigns.isEmpty
        }
    }

    func list(_ request: Request, context: Context) async throws -> Response {
        let session = try await app.requireSession(request, context: context)
        let campaigns = try await CampaignStore(app.database, workspace: session.user.workspace).overview()
        let rows = campaigns.map {
            ListModel.Row(
                slug: $0.slug,
                name: $0.name,
                status: $0.status.rawValue,
                channels: $0.channels.joined(separator: ", "),
                variants: $0.variants
            )
        }
        let model = ListModel(campaigns: rows)
        return app.pages.page("campaigns", model, title: "Campaigns", person: .init(session, atCampaigns: true))
    }

    struct CampaignModel {
        struct Variant {
            var key: String
            var channels: String
            var subject: String?
            var text: String
        }

        struct Fire {
            var iso: String
            var local: String
        }

        struct ScheduleModel {
            var rule: String
            var timeZone: String
            var fires: [Fire]
            var problem: String?
            var hasFires: Bool

            init(rule: String, timeZone: String, fires: [Fire], problem: String?) {
                self.rule = rule
                self.timeZone = timeZone
                self.fires = fires
                self.problem = problem
                hasFires = !fires.isEmpty
            }
        }

        struct Publication {
            var iso: String
            var scheduled: String
            var variant: String
            var channel: String
            var state: String
            var error: String
        }

        struct Action {
            var action: String
            var label: String
        }

        var slug: String
        var name: String
        var status: String
        var channels: String
        var dryRun: Bool
        var csrf: String
        var canChange: Bool
        var actions: [Action]
        var variants: [Variant]
        var schedule: ScheduleModel?
        var publications: [Publication]
        var hasPublications: Bool
    }

    func show(_ request: Request, context: Context) async throws -> Response {
        let session = try await app.requireSession(request, context: context)
        let store = CampaignStore(app.database, workspace: session.user.workspace)
        let campaign = try await store.find(try context.parameters.require("campaign"))
        let publications = try await PublicationStore(app.database).list(workspace: session.user.workspace, campaign: campaign.id, limit: 100)
        let actions: [CampaignModel.Action] = [CampaignAction.pause, .resume].filter { $0.allowedFrom.contains(campaign.status) }.map {
            CampaignModel.Action(action: $0.rawValue, label: $0 == .pause ? "Pause" : "Resume")
        }
        let keys = Dictionary(campaign.variants.map { ($0.id, $0.key) }, uniquingKeysWith: { first, _ in first })
        let utc = TimeZone(identifier: "UTC")!
        let zone = campaign.schedule.flatMap { TimeZone(identifier: $0.tz) } ?? utc
        let model = CampaignModel(
            slug: campaign.slug,
            name: campaign.name,
            status: campaign.status.rawValue,
            channels: campaign.channels.map(\.rawValue).joined(separator: ", "),
            dryRun: campaign.dryRun,
            csrf: session.csrfSecret,
            canChange: session.user.role >= .editor && !actions.isEmpty,
            actions: actions,
            variants: campaign.variants.map {
                CampaignModel.Variant(
                    key: $0.key,
                    channels: $0.channels.map(\.rawValue).joined(separator: ", "),
                    subject: $0.email?.subject,
                    text: $0.text
                )
            },
            schedule: campaign.schedule.map { Self.schedule($0, now: Date()) },
            publications: publications.map { publication in
                CampaignModel.Publication(
                    iso: Self.iso(publication.scheduledAt, in: utc),
                    scheduled: Self.readable(publication.scheduledAt, in: zone),
                    variant: keys[publication.variant] ?? "",
                    channel: publication.channel,
                    state: publication.status,
                    error: publication.error ?? ""
                )
            },
            hasPublications: !publications.isEmpty
        )
        return app.pages.page("campaign", model, title: campaign.name, person: .init(session))
    }

    /// The schedule as the page shows it: its rule and its next five fires after `now`, in its time zone.
    static func schedule(_ spec: CampaignSpec.Schedule, now: Date) -> CampaignModel.ScheduleModel {
        do {
            let schedule = try Schedule(parsing: spec.cron, timeZone: spec.tz)
            var fires: [Date] = []
            var after = now
            while fires.count < 5, let next = schedule.nextFire(after: after) {
                if let until = spec.until, next > until { break }
                fires.append(next)
                after = next
            }
            let zone = schedule.timeZone
            return .init(
                rule: spec.cron,
                timeZone: zone.identifier,
                fires: fires.map { .init(iso: iso($0, in: zone), local: readable($0, in: zone)) },
                problem: nil
            )
        } catch {
            return .init(rule: spec.cron, timeZone: spec.tz, fires: [], problem: "This schedule cannot be read: \(error.description)")
        }
    }

    /// ISO 8601 with the zone's offset, for `<time datetime>`.
    static func iso(_ date: Date, in zone: TimeZone) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = zone
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// A date people read, in `zone`, with its offset: `Tue 1 Dec 2026, 09:00 (+01:00)`.
    static func readable(_ date: Date, in zone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = zone
        formatter.dateFormat = "EEE d MMM yyyy, HH:mm '('xxx')'"
        return formatter.string(from: date)
    }

    /// Pauses or resumes a campaign (editor or above), then shows it again.
    func change(_ request: Request, context: Context) async throws -> Response {
        let session = try await app.requireSession(request, context: context, role: .editor)
        let reference = try context.parameters.require("campaign")
        guard let action = CampaignAction(rawValue: try context.parameters.require("action")), action == .pause || action == .resume else {
            throw WebError.notFound("There is no such campaign action here; the campaign page offers pause and resume.")
        }
        let store = CampaignStore(app.database, workspace: session.user.workspace)
        let campaign = try await store.find(reference)
        let moved = try await CampaignSchedule.apply(action, to: campaign.id, in: store, now: Date())
        context.logger.info(
            "campaign changed from the back office",
            metadata: [
                "herald.user.id": "\(session.user.id)", "herald.campaign.id": "\(campaign.id)",
                "herald.campaign.action": "\(action.rawValue)", "herald.campaign.status": "\(moved.to.rawValue)",
            ]
        )
        return PageRenderer.redirect(to: "/app/campaigns/\(campaign.slug)")
    }
}
