import ContentVariants
import Foundation
import HTTPTypes
import HeraldCore
import Hummingbird
import Jobs
import Logging
import Storage

/// `GET|POST /app/campaigns/new` (editor or above): creates a campaign from a form, with its variants' texts, or from
/// a brief. From a brief, the campaign is created as a draft with no variant and a `generate_variants` job is queued per
/// channel (the job `herald jobs enqueue generate_variants` queues); the generated variants show up on the campaign's
/// page, pending review, once a worker has run it. Every problem is named on the form beside its field, and the form
/// keeps what was typed.
struct CampaignCreatePages<Context: RequestContext & RemoteAddressRequestContext> {
    let app: WebApp<Context>

    func add(to group: RouterGroup<Context>) {
        group.get("campaigns/new") { request, context in
            let session = try await app.requireSession(request, context: context, role: .editor)
            return try await page(session, form: CreateForm(), problems: [])
        }
        group.post("campaigns/new") { request, context in try await create(request, context: context) }
    }

    /// The posted form (every field as typed).
    struct CreateForm: Decodable {
        var name: String?
        var slug: String?
        var channels: [String]?
        var destination: String?
        var scheduleCron: String?
        var scheduleTimeZone: String?
        var audienceList: String?
        var dryRun: String?
        var source: String?
        var variants: String?
        var product: String?
        var offer: String?
        var audience: String?
        var link: String?
        var cta: String?
        var hashtags: String?
        var tone: String?
        var benefit: String?
        var proof: String?
        var deadline: String?
        var brand: String?
        var count: String?

        enum CodingKeys: String, CodingKey {
            case name, slug, channels, destination, source, variants, product, offer, audience, link, cta, hashtags, tone, benefit
            case proof, deadline, brand, count
            case scheduleCron = "schedule_cron"
            case scheduleTimeZone = "schedule_tz"
            case audienceList = "audience_list"
            case dryRun = "dry_run"
        }

        var fromBrief: Bool { source == "brief" }

        func value(_ name: String) -> String {
            let values: [String: String?] = [
                "name": self.name, "slug": slug, "destination": destination, "schedule_cron": scheduleCron, "schedule_tz": scheduleTimeZone,
                "audience_list": audienceList, "variants": variants, "product": product, "offer": offer, "audience": audience,
                "link": link, "cta": cta, "hashtags": hashtags, "tone": tone, "benefit": benefit, "proof": proof, "deadline": deadline,
                "brand": brand, "count": count,
            ]
            return (values[name] ?? nil) ?? ""
        }

        /// A field's text, trimmed; nil when empty.
        func given(_ name: String) -> String? {
            let text = value(name).trimmingCharacters(in: .whitespacesAndNewlines)
            return text.isEmpty ? nil : text
        }
    }

    /// A problem with the form, named by its field.
    struct Problem: Equatable {
        var field: String
        var label: String
        var message: String
    }

    /// One labelled field of the form, as the `campaign-field` template shows it.
    struct Field {
        var name: String
        var label: String
        var hint: String?
        var value: String
        var problem: String?
        var describedBy: String?
        var multiline: Bool
        var top: Bool
        var texts: Bool
        var brief: Bool
    }

    struct Choice {
        var name: String
        var checked: Bool
    }

    struct Model {
        var csrf: String
        var fields: [Field]
        var channels: [Choice]
        var channelsProblem: String?
        var dryRun: Bool
        var fromBrief: Bool
        var problems: [Problem]
        var hasProblems: Bool
    }

    enum Section { case top, texts, brief }

    /// The form's fields: name, label, hint, section, multiline.
    static var layout: [(String, String, String?, Section, Bool)] {
        [
            ("name", "Name", nil, .top, false),
            ("slug", "Slug (optional)", "Lowercase letters, digits and hyphens; made from the name when empty.", .top, false),
            ("destination", "Destination (optional)", "Where tracking links lead, e.g. https://example.com/shoes.", .top, false),
            ("schedule_cron", "Schedule (optional)", "Cron: minute hour day-of-month month day-of-week, e.g. 0 9 * * MON-FRI.", .top, false),
            ("schedule_tz", "Time zone of the schedule", "An IANA time zone, e.g. Europe/Berlin.", .top, false),
            ("audience_list", "Contact list (email and SMS)", "The list an email or SMS campaign sends to.", .top, false),
            ("variants", "Variant texts", "One variant per line.", .texts, true),
            ("product", "Product", nil, .brief, false),
            ("offer", "Offer", nil, .brief, false),
            ("audience", "Audience", "A plural noun phrase, e.g. trail runners.", .brief, false),
            ("link", "Link", nil, .brief, false),
            ("cta", "Call to action", nil, .brief, false),
            ("hashtags", "Hashtags", "Separated by commas, without #.", .brief, false),
            ("tone", "Tone", "Leave empty to vary tones.", .brief, false),
            ("benefit", "Benefit", nil, .brief, false),
            ("proof", "Proof", "Who already chose it, e.g. 12,000 runners.", .brief, false),
            ("deadline", "Deadline", "When the offer ends, e.g. Sunday.", .brief, false),
            ("brand", "Brand", nil, .brief, false),
            ("count", "Variants per channel", "1 to 10; 4 when empty.", .brief, false),
        ]
    }

    func page(_ session: WebSession, form: CreateForm, problems: [Problem]) async throws -> Response {
        let byField = Dictionary(problems.map { ($0.field, $0.message) }, uniquingKeysWith: { first, _ in first })
        let fields = Self.layout.map { name, label, hint, section, multiline in
            let problem = byField[name]
            let described = [hint.map { _ in "\(name)-hint" }, problem.map { _ in "\(name)-problem" }].compactMap { $0 }
            return Field(
                name: name,
                label: label,
                hint: hint,
                value: form.value(name),
                problem: problem,
                describedBy: described.isEmpty ? nil : described.joined(separator: " "),
                multiline: multiline,
                top: section == .top,
                texts: section == .texts,
                brief: section == .brief
            )
        }
        let chosen = Set(form.channels ?? [])
        let model = Model(
            csrf: session.csrfSecret,
            fields: fields,
            channels: HeraldCore.Channel.allCases.map { Choice(name: $0.rawValue, checked: chosen.contains($0.rawValue)) },
            channelsProblem: byField["channels"],
            dryRun: form.dryRun == "true",
            fromBrief: form.fromBrief,
            problems: problems,
            hasProblems: !problems.isEmpty
        )
        return app.pages.page(
            "campaign-new",
            model,
            title: "New campaign",
            person: try await app.person(session, atCampaigns: true),
            status: problems.isEmpty ? .ok : .unprocessableContent
        )
    }

    func create(_ request: Request, context: Context) async throws -> Response {
        let session = try await app.requireSession(request, context: context, role: .editor)
        let form = try await app.form(CreateForm.self, of: request)
        let checked = Self.check(form)
        guard checked.problems.isEmpty, let spec = checked.spec else { return try await page(session, form: form, problems: checked.problems) }
        let workspace = session.user.workspace
        let store = CampaignStore(app.database, workspace: workspace)
        let campaign: Campaign
        do {
            let schedule = try CampaignSchedule.validate(spec)
            campaign = try await store.create(
                spec,
                schedule: schedule.map { CampaignSchedule.attachment($0, now: Date()) },
                author: app.actor(session)
            )
        } catch let error as HeraldCore.ValidationError {
            return try await page(session, form: form, problems: [Self.problem(error)])
        } catch let error as ConflictError {
            return try await page(session, form: form, problems: [Problem(field: "name", label: "Campaign", message: error.message)])
        }
        if let brief = checked.brief {
            let jobs = campaign.channels.map { channel in
                JobRequest(
                    payload: GenerateVariantsPayload(
                        campaign: campaign.id,
                        workspace: workspace,
                        brief: brief,
                        channel: channel,
                        count: checked.count
                    ),
                    runAt: Date(),
                    uniqueKey: "generate:\(campaign.id):\(channel.rawValue)",
                    workspace: workspace
                )
            }
            _ = try await JobQueue(app.database).enqueue(jobs)
        }
        context.logger.info(
            "campaign created in the back office",
            metadata: [
                "herald.user.id": "\(session.user.id)", "herald.campaign.id": "\(campaign.id)",
                "herald.campaign.from": "\(checked.brief == nil ? "texts" : "brief")",
            ]
        )
        return PageRenderer.redirect(to: "/app/campaigns/\(campaign.slug)")
    }

    /// The spec (and, from a brief, the brief and the count) the form describes, or every problem found with it.
    static func check(_ form: CreateForm) -> (spec: CampaignSpec?, brief: JSONValue?, count: Int?, problems: [Problem]) {
        var problems: [Problem] = []
        func add(_ problem: Problem) {
            if !problems.contains(where: { $0.field == problem.field }) { problems.append(problem) }
        }
        var document: [String: Any] = ["name": form.value("name"), "channels": form.channels ?? []]
        if let slug = form.given("slug") { document["slug"] = slug }
        if let destination = form.given("destination") { document["destination"] = destination }
        if form.dryRun == "true" { document["dry_run"] = true }
        if let list = form.given("audience_list") { document["audience"] = ["list": list] }
        if let cron = form.given("schedule_cron") {
            guard let zone = form.given("schedule_tz") else {
                add(Problem(field: "schedule_tz", label: label("schedule_tz"), message: "is needed with a schedule (e.g. Europe/Berlin)"))
                return (nil, nil, nil, problems)
            }
            document["schedule"] = ["cron": cron, "tz": zone]
        }
        var brief: JSONValue?
        var count: Int?
        if form.fromBrief {
            document["status"] = "draft"
            document["variants"] = [Any]()
            var object: [String: JSONValue] = [:]
            for name in ["product", "offer", "audience", "link", "cta", "tone", "benefit", "proof", "deadline", "brand"] {
                if let text = form.given(name) { object[name] = .string(text) }
            }
            if let tags = form.given("hashtags") {
                object["hashtags"] = .array(
                    tags.split(separator: ",").map {
                        .string($0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "#")))
                    }
                )
            }
            if form.given("product") == nil {
                add(Problem(field: "product", label: label("product"), message: "is needed to generate variants from a brief"))
            }
            if let text = form.given("count") {
                if let number = Int(text), (1...10).contains(number) {
                    count = number
                } else {
                    add(Problem(field: "count", label: label("count"), message: "\"\(text)\" is not a whole number from 1 to 10"))
                }
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            if form.given("product") != nil, let json = try? encoder.encode(JSONValue.object(object)) {
                do {
                    _ = try Brief(parsing: String(decoding: json, as: UTF8.self), source: "brief")
                    brief = .object(object)
                } catch {
                    add(problem(error, inBrief: true))
                }
            }
        } else {
            let lines = form.value("variants").split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                !$0.isEmpty
            }
            if lines.isEmpty {
                add(Problem(field: "variants", label: label("variants"), message: "needs at least one line (or choose “Generated from a brief”)"))
            }
            document["variants"] = lines.map { ["text": $0] }
        }
        if (form.channels ?? []).isEmpty {
            add(Problem(field: "channels", label: "Channels", message: "choose at least one"))
        }
        var spec: CampaignSpec?
        do {
            spec = try CampaignSpec(document: document)
            if let spec { _ = try CampaignSchedule.validate(spec) }
        } catch {
            add(problem(error))
            spec = nil
        }
        return (problems.isEmpty ? spec : nil, brief, count, problems)
    }

    /// The problem of a spec's field (or, `inBrief`, a brief's), named as the form names it.
    static func problem(_ error: HeraldCore.ValidationError, inBrief: Bool = false) -> Problem {
        let field: String
        if inBrief {
            let name = error.field.split(separator: "[").first.map(String.init) ?? ""
            field = layout.contains { $0.0 == name && $0.3 == .brief } ? name : "product"
        } else {
            switch error.field {
            case let name where name.hasPrefix("channels"): field = "channels"
            case let name where name.hasPrefix("variants"): field = "variants"
            case let name where name.hasPrefix("audience"): field = "audience_list"
            case "schedule.cron", "schedule": field = "schedule_cron"
            case "schedule.tz": field = "schedule_tz"
            case let name where layout.contains { $0.0 == name && $0.3 == .top }: field = name
            default: field = "name"
            }
        }
        let named = error.field.isEmpty || error.field == field ? "" : "\(error.field): "
        return Problem(field: field, label: field == "channels" ? "Channels" : label(field), message: named + error.reason)
    }

    static func label(_ field: String) -> String {
        layout.first { $0.0 == field }?.1.replacingOccurrences(of: " (optional)", with: "") ?? field
    }
}
