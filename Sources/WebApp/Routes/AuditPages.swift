import Foundation
import HTTPTypes
import HeraldCore
import Hummingbird
import Logging
import Storage

/// The audit log, `GET /app/audit[?before=ID]` (approver or admin): what people and machines did in the workspace,
/// newest first, 50 a page.
struct AuditPages<Context: RequestContext & RemoteAddressRequestContext> {
    let app: WebApp<Context>

    static var pageSize: Int { 50 }

    func add(to group: RouterGroup<Context>) {
        group.get("audit") { request, context in try await list(request, context: context) }
    }

    struct Model {
        struct Row {
            var iso: String
            var at: String
            var actor: String
            var action: String
            var subject: String
            var details: String
        }

        var entries: [Row]
        var hasEntries: Bool
        var next: String?
        var isFirst: Bool
    }

    func list(_ request: Request, context: Context) async throws -> Response {
        let session = try await app.requireSession(request, context: context, role: .approver)
        let before = request.uri.queryParameters["before"].flatMap { Int64(String($0)) }
        let (entries, next) = try await AuditLog(app.database, workspace: session.user.workspace).page(before: before, limit: Self.pageSize)
        let utc = TimeZone(identifier: "UTC")!
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let rows = entries.map { entry in
            Model.Row(
                iso: PageDates.iso(entry.occurredAt, in: utc),
                at: PageDates.readable(entry.occurredAt, in: utc),
                actor: entry.actorName.isEmpty ? entry.actor : "\(entry.actorName) (\(entry.actor))",
                action: entry.action,
                subject: "\(entry.subjectKind) \(entry.subjectID)",
                details: entry.details.isEmpty ? "" : (try? encoder.encode(entry.details)).map { String(decoding: $0, as: UTF8.self) } ?? ""
            )
        }
        var person = PageRenderer.Person(session)
        person.atAudit = true
        let model = Model(entries: rows, hasEntries: !rows.isEmpty, next: next.map { String($0) }, isFirst: before == nil)
        return app.pages.page("audit", model, title: "Audit log", person: person)
    }
}
