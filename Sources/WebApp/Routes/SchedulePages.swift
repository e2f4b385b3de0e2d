import Foundation
import HTTPTypes
import HeraldCore
import Hummingbird
import Jobs
import Logging
import Scheduling
import Storage

/// The schedule editor, `GET|POST /app/campaigns/{campaign}/schedule` (editor or above): the campaign's cron rule,
/// time zone and active window, with a preview of the next five fires in its zone and a note on each fire that a
/// daylight-saving change touches. Saving goes through ``CampaignStore/setSchedule(_:_:actor:)``, checked by
/// ``CampaignSchedule/validate(_:)`` as the CLI and the API check a campaign file's schedule.
struct SchedulePages<Context: RequestContext & RemoteAddressRequestContext> {
    let app: WebApp<Context>

    func add(to group: RouterGroup<Context>) {
        group.get("campaigns/:campaign/schedule") { request, context in try await show(request, context: context) }
        group.post("campaigns/:campaign/schedule") { request, context in try await save(request, context: context) }
    }

    /// The posted form. `from` and `until` are local times in the form's zone (`YYYY-MM-DDTHH:MM`), may be empty.
    struct Form: Decodable {
        var cron: String?
        var tz: String?
        var from: String?
        var until: String?
        /// `preview` shows the fires without saving.
        var intent: String?
    }

    struct Model {
        struct Fire {
            var iso: String
            var local: String
            var note: String?
        }

        var slug: String
        var name: String
        var csrf: String
        var cron: String
        var tz: String
        var from: String
        var until: String
        var cronError: String?
        var tzError: String?
        var fromError: String?
        var untilError: String?
        var errors: [String]
        var hasErrors: Bool
        var saved: Bool
        var previewOnly: Bool
        var fires: [Fire]
        var hasFires: Bool
        var zone: String
    }

    func show(_ request: Request, context: Context) async throws -> Response {
        let session = try await app.requireSession(request, context: context, role: .editor)
        let campaign = try await CampaignStore(app.database, workspace: session.user.workspace).find(try context.parameters.require("campaign"))
        let stored = try await ScheduleStore(app.database).list(workspace: session.user.workspace, campaign: campaign.id)
            .first { $0.name == "campaign:" + campaign.slug }
        let tz = campaign.schedule?.tz ?? stored?.timeZone ?? "UTC"
        let zone = TimeZone(identifier: tz) ?? TimeZone(identifier: "UTC")!
        let form = Form(
            cron: campaign.schedule?.cron ?? stored?.rule ?? "",
            tz: tz,
            from: stored?.activeFrom.map { PageDates.local($0, in: zone) } ?? "",
            until: (stored?.activeUntil ?? campaign.schedule?.until).map { PageDates.local($0, in: zone) } ?? ""
        )
        var model = Self.model(campaign, csrf: session.csrfSecret, form: form, now: Date()).model
        model.saved = request.uri.queryParameters["saved"] != nil
        return app.pages.page("schedule", model, title: "Schedule of \(campaign.name)", person: .init(session))
    }

    func save(_ request: Request, context: Context) async throws -> Response {
        let session = try await app.requireSession(request, context: context, role: .editor)
        let store = CampaignStore(app.database, workspace: session.user.workspace)
        let campaign = try await store.find(try context.parameters.require("campaign"))
        let form = try await app.form(Form.self, of: request)
        let now = Date()
        let (model, edit) = Self.model(campaign, csrf: session.csrfSecret, form: form, now: now)
        let person = PageRenderer.Person(session)
        if model.hasErrors {
            return app.pages.page("schedule", model, title: "Schedule of \(campaign.name)", person: person, status: .badRequest)
        }
        guard form.intent != "preview", let edit else {
            var preview = model
            preview.previewOnly = true
            return app.pages.page("schedule", preview, title: "Schedule of \(campaign.name)", person: person)
        }
        let actor = AuditActor.user(session.user.id, name: session.user.email, role: session.user.role)
        _ = try await store.setSchedule(campaign.id, edit, actor: actor)
        context.logger.info(
            "campaign schedule changed from the back office",
            metadata: [
                "herald.user.id": "\(session.user.id)", "herald.campaign.id": "\(campaign.id)",
                "herald.schedule.rule": "\(edit.attachment.rule)", "herald.schedule.tz": "\(edit.attachment.timeZone)",
            ]
        )
        return PageRenderer.redirect(to: "/app/campaigns/\(campaign.slug)/schedule?saved=1")
    }

    /// The page's model for `form` (errors named by field, the typed values kept) and, when the form is valid, the
    /// edit to store.
    static func model(_ campaign: Campaign, csrf: String, form: Form, now: Date) -> (model: Model, edit: CampaignStore.ScheduleEdit?) {
        let cron = (form.cron ?? "").trimmingCharacters(in: .whitespaces)
        let tz = (form.tz ?? "").trimmingCharacters(in: .whitespaces)
        var model = Model(
            slug: campaign.slug,
            name: campaign.name,
            csrf: csrf,
            cron: form.cron ?? "",
            tz: form.tz ?? "",
            from: form.from ?? "",
            until: form.until ?? "",
            errors: [],
            hasErrors: false,
            saved: false,
            previewOnly: false,
            fires: [],
            hasFires: false,
            zone: tz
        )
        var schedule: Schedule?
        if cron.isEmpty {
            model.cronError = "Cron: enter a rule of five fields (minute hour day-of-month month day-of-week), e.g. 0 9 * * MON-FRI."
        } else if tz.isEmpty {
            model.tzError = "Time zone: enter an IANA time zone, e.g. Europe/Berlin."
        } else {
            do {
                schedule = try CampaignSchedule.validate(CampaignSpec.Schedule(cron: cron, tz: tz))
            } catch {
                if error.field == "schedule.tz" {
                    model.tzError = "Time zone: \(error.reason)."
                } else {
                    model.cronError = "Cron: \(error.reason)."
                }
            }
        }
        let zone = schedule?.timeZone ?? TimeZone(identifier: tz) ?? TimeZone(identifier: "UTC")!
        let from = Self.parseLocal(form.from, in: zone)
        let until = Self.parseLocal(form.until, in: zone)
        if case .failure = from { model.fromError = "Active from: enter a date and time as YYYY-MM-DDTHH:MM, or leave it empty." }
        if case .failure = until { model.untilError = "Active until: enter a date and time as YYYY-MM-DDTHH:MM, or leave it empty." }
        if case .success(let start?) = from, case .success(let end?) = until, end <= start {
            model.untilError = "Active until: must be after active from."
        }
        model.errors = [model.cronError, model.tzError, model.fromError, model.untilError].compactMap { $0 }
        model.hasErrors = !model.errors.isEmpty
        guard !model.hasErrors, var schedule, case .success(let activeFrom) = from, case .success(let activeUntil) = until else {
            return (model, nil)
        }
        schedule.activeFrom = activeFrom
        schedule.activeUntil = activeUntil
        model.zone = schedule.timeZone.identifier
        var fires: [Date] = []
        var after = now
        while fires.count < 5, let next = schedule.nextFire(after: after) {
            fires.append(next)
            after = next
        }
        model.fires = fires.map {
            Model.Fire(
                iso: PageDates.iso($0, in: schedule.timeZone),
                local: PageDates.readable($0, in: schedule.timeZone),
                note: schedule.daylightSavingNote(for: $0)?.sentence
            )
        }
        model.hasFires = !fires.isEmpty
        let attachment = CampaignStore.ScheduleAttachment(
            rule: schedule.ruleText,
            timeZone: schedule.timeZone.identifier,
            nextFireAt: schedule.nextFire(after: now),
            now: now
        )
        return (model, CampaignStore.ScheduleEdit(attachment: attachment, activeFrom: activeFrom, activeUntil: activeUntil))
    }

    struct BadLocalTime: Error {}

    /// A `datetime-local` value read in `zone`: nil when empty.
    static func parseLocal(_ text: String?, in zone: TimeZone) -> Result<Date?, BadLocalTime> {
        let text = (text ?? "").trimmingCharacters(in: .whitespaces)
        if text.isEmpty { return .success(nil) }
        guard let date = PageDates.parseLocal(text, in: zone) else { return .failure(BadLocalTime()) }
        return .success(date)
    }
}
