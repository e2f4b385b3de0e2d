import Foundation
import HTTPTypes
import HeraldCore
import Hummingbird
import Jobs
import NIOCore
import Reports
import Storage

/// Reports served as pages: `/reports` (the workspace overview), `/reports/{campaign}` (its latest report
/// as HTML) and `/reports/{campaign}/report.{html,md,csv,json}`, for a token (Authorization header) or a
/// signed share link that expires; and `POST /v1/reports/share`, which makes such links.
struct ReportRoutes {
    let database: Database
    let settings: ServerSettings
    /// Reads the Authorization header, limiting failed token attempts as on `/v1`.
    let gate: TokenGate

    func add(to router: Router<APIContext>, api: RouterGroup<APIContext>) {
        router.get("reports", use: overview)
        router.get("reports/{campaign}", use: latest)
        router.get("reports/{campaign}/{file}", use: file)
        api.post("reports/share", use: share)
    }

    /// Who may see reports of which scope: a token's workspace (everything), or a share link's.
    func access(_ request: Request, context: APIContext, scope: String) async throws -> WorkspaceID {
        if let principal = try await gate.principal(of: request, context: context) {
            return principal.workspace
        }
        let query = request.uri.queryParameters
        guard let workspaceText = query["workspace"], let workspace = WorkspaceID(workspaceText),
            let expiresText = query["expires"], let expires = Int64(expiresText), let signature = query["signature"]
        else {
            throw APIError.unauthorized("send Authorization: Bearer <token>, or open a share link (POST /v1/reports/share)")
        }
        let secret: [UInt8]
        do {
            secret = try await WorkspaceStore(database).shareSecret(workspace)
        } catch is NotFoundError {
            throw APIError.unauthorized("this share link is not valid")
        }
        let link = ShareLink(workspace: workspace, scope: scope, expires: expires)
        guard link.verify(signature: String(signature), secret: secret, now: Date()) else {
            let expired = Double(expires) <= Date().timeIntervalSince1970
            throw APIError.unauthorized(expired ? "this share link has expired; ask for a new one" : "this share link is not valid")
        }
        return workspace
    }

    /// The page headers: no script, nothing from elsewhere, never cached, no referrer (share links carry their signature).
    static func page(_ text: String, contentType: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.cacheControl] = "private, no-store"
        headers[HTTPField.Name("Content-Security-Policy")!] =
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    @Sendable func overview(_ request: Request, context: APIContext) async throws -> Response {
        let workspace = try await access(request, context: context, scope: "*")
        let viaShare = request.headers[.authorization] == nil
        let secret = viaShare ? try await WorkspaceStore(database).shareSecret(workspace) : []
        let expires = request.uri.queryParameters["expires"].flatMap { Int64($0) } ?? 0
        let name = try await WorkspaceStore(database).slug(of: workspace)
        let overview = try await ReportPublisher.overview(database: database, workspace: workspace, name: name, at: Date()) { slug in
            // A share link's overview links to each campaign's report with a link of the same lifetime.
            guard viaShare else { return "/reports/\(slug)" }
            return "/reports/\(slug)?" + ShareLink(workspace: workspace, scope: slug, expires: expires).query(secret: secret)
        }
        return Self.page(OverviewRenderer.render(overview), contentType: "text/html; charset=utf-8")
    }

    /// The campaign's latest stored report model.
    func report(_ campaign: String, workspace: WorkspaceID) async throws -> ReportModel {
        let found = try await CampaignStore(database, workspace: workspace).find(campaign)
        let latest = try await AnalysisStore(database, workspace: workspace).latestReport(campaign: found.id)
        guard let json = latest?.reportJSON else {
            throw APIError.notFound("campaign \"\(found.slug)\" has no analysis yet; run one (POST /v1/campaigns/\(found.slug)/analyses)")
        }
        return try JSONRenderer.decode(json)
    }

    @Sendable func latest(_ request: Request, context: APIContext) async throws -> Response {
        let campaign = try context.parameters.require("campaign")
        let workspace = try await access(request, context: context, scope: campaign)
        return Self.page(HTMLRenderer.render(try await report(campaign, workspace: workspace)), contentType: "text/html; charset=utf-8")
    }

    @Sendable func file(_ request: Request, context: APIContext) async throws -> Response {
        let campaign = try context.parameters.require("campaign")
        let file = try context.parameters.require("file")
        let types: [String: (ReportFormat, String)] = [
            "report.html": (.html, "text/html; charset=utf-8"), "report.md": (.md, "text/markdown; charset=utf-8"),
            "report.csv": (.csv, "text/csv; charset=utf-8"), "report.json": (.json, "application/json; charset=utf-8"),
        ]
        guard let (format, contentType) = types[file] else {
            throw APIError.notFound("no \"\(file)\"; a report is report.html, report.md, report.csv or report.json")
        }
        let workspace = try await access(request, context: context, scope: campaign)
        return Self.page(try format.render(try await report(campaign, workspace: workspace)), contentType: contentType)
    }

    /// Body: ``ShareReportRequest``.
    @Sendable func share(_ request: Request, context: APIContext) async throws -> EditedResponse<ShareLinkResponse> {
        let body = try await request.decode(as: ShareReportRequest.self, context: context)
        let workspace = try context.requirePrincipal().workspace
        let hours = body.expiresInHours
        var scope = "*"
        var path = "/reports"
        if let reference = body.campaign {
            let campaign = try await CampaignStore(database, workspace: workspace).find(reference)
            scope = campaign.slug
            path = "/reports/\(campaign.slug)"
        }
        let expires = Int64(Date().timeIntervalSince1970) + Int64(hours) * 3_600
        let secret = try await WorkspaceStore(database).shareSecret(workspace)
        let query = ShareLink(workspace: workspace, scope: scope, expires: expires).query(secret: secret)
        let base = settings.baseURL(for: request)
        return EditedResponse(
            status: .created,
            response: ShareLinkResponse(url: "\(base)\(path)?\(query)", expiresAt: Date(timeIntervalSince1970: Double(expires)))
        )
    }
}
