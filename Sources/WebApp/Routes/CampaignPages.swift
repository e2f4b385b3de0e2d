import Foundation
import HTTPTypes
import HeraldCore
import Hummingbird
import Jobs
import Logging
import Scheduling
import Storage

/// The campaign pages: `GET /app` (the workspace's campaigns), `GET /app/campaigns/{campaign}` (variants with their
/// review state, features and provenance, and approve/reject for approvers; schedule with its next five fires;
/// publications with a retry of failed ones; autopilot's actions; a link to the latest report), and the lifecycle
/// buttons `POST /app/campaigns/{campaign}/start|pause|resume` (editor or above). The other buttons of the page are
/// in ``CampaignPages`` `+Actions`.
struct CampaignPages<Context: RequestContext & RemoteAddressRequestContext> {
    let app: WebApp<Context>

    func add(to group: RouterGroup<Context>) {
        group.get("") { request, context in try await list(request, context: context) }
        group.get("campaigns/:campaign") { request, context in try await show(request, context: context) }
        group.post("campaigns/:campaign/:action") { request, context in try await change(request, context: context) }
        addActions(to: group)
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
        /// Whether this person may create campaigns (editor or above).
        var canCreate: Bool

        init(campaigns: [Row], canCreate: Bool = false) {
            self.campaigns = campaigns
            hasCampaigns = !campaigns.isEmpty
            self.canCreate = canCreate
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
        let model = ListModel(campaigns: rows, canCreate: session.user.role >= .editor)
        return app.pages.page("campaigns", model, title: "Campaigns", person: try await app.person(session, atCampaigns: true))
    }

    struct CampaignModel {
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
            var id: String
            var iso: String
            var scheduled: String
            var variant: String
            var channel: String
            var state: String
            var error: String
            /// Failed or cancelled, and this person may send it again (editor or above).
            var canRetry: Bool
        }

        struct Action {
            var action: String
            var label: String
        }

        struct AutopilotAction {
            var id: String
            var kind: String
            var state: String
            var reason: String
            var iso: String
            var when: String
            var decided: String?
            var pending: Bool
            var applied: Bool
            var canAct: Bool
        }

        struct Report {
            var iso: String
            var when: String
        }

        var slug: String
        var name: String
        var status: String
        var channels: String
        var dryRun: Bool
        /// "a test planned for 200,000 impressions", when the campaign has a design.
        var plan: String?
        var csrf: String
        var canChange: Bool
        var actions: [Action]
        var cards: [VariantCard]
        var hasCards: Bool
        /// A draft whose variants a brief's job is writing.
        var generating: Bool
        var schedule: ScheduleModel?
        var publications: [Publication]
        var hasPublications: Bool
        var publicationProblem: String?
        var autopilotMode: String
        var autopilotActions: [AutopilotAction]
        var hasAutopilotActions: Bool
        var autopilotProblem: String?
        var report: Report?
    }

    /// A refusal shown on the campaign page, beside what it is about.
    struct PageProblem {
        var variant: VariantID?
        var message: String
        var comment: String = ""
        var section: Section = .variants

        enum Section { case variants, publications, autopilot }

        init(variant: VariantID, message: String, comment: String) {
            self.variant = variant
            self.message = message
            self.comment = comment
        }

        init(_ section: Section, message: String) {
            self.section = section
            self.message = message
        }
    }

    func show(_ request: Request, context: Context) async throws -> Response {
        try await show(request, context: context, reference: try context.parameters.require("campaign"), problem: nil)
    }

    /// The campaign's page (with `problem` shown where it belongs, answered 409 or 422).
    func show(_ request: Request, context: Context, reference: String, problem: PageProblem?) async throws -> Response {
        let session = try await app.requireSession(request, context: context)
        let workspace = session.user.workspace
        let store = CampaignStore(app.database, workspace: workspace)
        let campaign = try await store.find(reference)
        let publications = try await PublicationStore(app.database).list(workspace: workspace, campaign: campaign.id, limit: 100)
        let actions: [CampaignModel.Action] = [CampaignAction.start, .pause, .resume].filter { $0.allowedFrom.contains(campaign.status) }.map {
            CampaignModel.Action(action: $0.rawValue, label: $0.rawValue.prefix(1).uppercased() + $0.rawValue.dropFirst())
        }
        let keys = Dictionary(campaign.variants.map { ($0.id, $0.key) }, uniquingKeysWith: { first, _ in first })
        let utc = TimeZone(identifier: "UTC")!
        let zone = campaign.schedule.flatMap { TimeZone(identifier: $0.tz) } ?? utc
        let editor = session.user.role >= .editor
        let reviewStore = ReviewStore(app.database, workspace: workspace)
        var reviews: [ReviewStore.Review] = []
        for variant in campaign.variants { reviews.append(try await reviewStore.review(of: variant.id)) }
        var cards = try await app.variantCards(for: reviews, session: session, from: "campaign")
        if let problem, problem.section == .variants, let index = cards.firstIndex(where: { $0.id == problem.variant?.description }) {
            cards[index].problem = problem.message
            cards[index].comment = problem.comment
        }
        let autopilot = AutopilotStore(app.database, workspace: workspace)
        let planned = try await autopilot.actions(campaign: campaign.id).filter { $0.state == "pending" || $0.state == "applied" }
        let latest = try await AnalysisStore(app.database, workspace: workspace).latestReport(campaign: campaign.id)
        let pendingJobs = campaign.variants.isEmpty && campaign.status == .draft
        let model = CampaignModel(
            slug: campaign.slug,
            name: campaign.name,
            status: campaign.status.rawValue,
            channels: campaign.channels.map(\.rawValue).joined(separator: ", "),
            dryRun: campaign.dryRun,
            plan: campaign.design.map {
                "a test planned for \($0.horizon.formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_US")))) impressions"
            },
            csrf: session.csrfSecret,
            canChange: editor && !actions.isEmpty,
            actions: actions,
            cards: cards,
            hasCards: !cards.isEmpty,
            generating: pendingJobs,
            schedule: campaign.schedule.map { Self.schedule($0, now: Date()) },
            publications: publications.map { publication in
                CampaignModel.Publication(
                    id: publication.id.uuidString.lowercased(),
                    iso: PageDates.iso(publication.scheduledAt, in: utc),
                    scheduled: PageDates.readable(publication.scheduledAt, in: zone),
                    variant: keys[publication.variant] ?? "",
                    channel: publication.channel,
                    state: publication.status,
                    error: publication.error ?? "",
                    canRetry: editor && (publication.status == "failed" || publication.status == "cancelled")
                )
            },
            hasPublications: !publications.isEmpty,
            publicationProblem: problem?.section == .publications ? problem?.message : nil,
            autopilotMode: try await autopilot.settings(campaign: campaign.id).mode,
            autopilotActions: planned.map { action in
                CampaignModel.AutopilotAction(
                    id: action.id.uuidString.lowercased(),
                    kind: action.kind.replacingOccurrences(of: "_", with: " "),
                    state: action.state,
                    reason: action.reason,
                    iso: PageDates.iso(action.createdAt, in: utc),
                    when: PageDates.readable(action.createdAt, in: zone),
                    decided: action.decidedBy.map { who in
                        "\(action.state == "applied" ? "Applied" : "Decided") by \(who)"
                            + (action.decidedAt.map { ", \(PageDates.readable($0, in: zone))" } ?? "")
                    },
                    pending: action.state == "pending",
                    applied: action.state == "applied",
                    canAct: editor
                )
            },
            hasAutopilotActions: !planned.isEmpty,
            autopilotProblem: problem?.section == .autopilot ? problem?.message : nil,
            report: latest.flatMap {
                $0.reportJSON == nil
                    ? nil : CampaignModel.Report(iso: PageDates.iso($0.createdAt, in: utc), when: PageDates.readable($0.createdAt, in: zone))
            }
        )
        let status: HTTPResponse.Status = problem == nil ? .ok : (problem?.section == .variants ? .unprocessableContent : .conflict)
        return app.pages.page("campaign", model, title: campaign.name, person: try await app.person(session), status: status)
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
                fires: fires.map { .init(iso: PageDates.iso($0, in: zone), local: PageDates.readable($0, in: zone)) },
                problem: nil
            )
        } catch {
            return .init(rule: spec.cron, timeZone: spec.tz, fires: [], problem: "This schedule cannot be read: \(error.description)")
        }
    }

    /// Starts, pauses or resumes a campaign (editor or above), then shows it again.
    func change(_ request: Request, context: Context) async throws -> Response {
        let session = try await app.requireSession(request, context: context, role: .editor)
        let reference = try context.parameters.require("campaign")
        guard let action = CampaignAction(rawValue: try context.parameters.require("action")), [.start, .pause, .resume].contains(action) else {
            throw WebError.notFound("There is no such campaign action here; the campaign page offers start, pause and resume.")
        }
        let store = CampaignStore(app.database, workspace: session.user.workspace)
        let campaign = try await store.find(reference)
        // Started with nothing approved, it would publish nothing (the publish job refuses what is not approved).
        if action == .start, !campaign.variants.contains(where: { $0.review == .approved }) {
            throw ConflictError(
                "Campaign \(campaign.slug) has no approved variant yet: approve one (the review queue lists them) before starting it."
            )
        }
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
