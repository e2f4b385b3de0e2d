import Connectors
import Foundation
import HTTPTypes
import HeraldCore
import Hummingbird
import Logging
import NIOCore
import Storage

/// The web back office at `/app`: pages rendered on the server, people signed in with sessions stored in PostgreSQL,
/// a CSRF token in every form.
///
/// Routes (`herald serve` mounts them beside the `/v1` API, whose bearer tokens stay for machines):
/// - `GET /app/login`, `POST /app/login`, `POST /app/logout` (``SignInRoutes``)
/// - `GET|POST /app/invite/{token}` (``InvitationRoutes``)
/// - `GET /app`, `GET /app/campaigns/{campaign}`, `POST /app/campaigns/{campaign}/{start|pause|resume}`,
///   `POST /app/publications/{id}/retry`, `POST /app/autopilot/{id}/{apply|dismiss|undo}`,
///   `GET /app/campaigns/{campaign}/report` (``CampaignPages``)
/// - `GET|POST /app/campaigns/new` (``CampaignCreatePages``)
/// - `GET /app/review`, `POST /app/variants/{id}/decision` (``ReviewPages``)
/// - `GET|POST /app/campaigns/{campaign}/schedule` (``SchedulePages``), `GET /app/calendar` (``CalendarPages``)
/// - `GET /app/accounts` (``AccountPages``), `POST /app/accounts/connect`, `GET /app/accounts/oauth/callback`
///   (``AccountConnectRoutes``), `GET /app/contacts`, `GET /app/lists` (``ContactPages``),
///   `GET /app/audit` (``AuditPages``)
/// - `GET /app/static/app.css`
public struct WebApp<Context: RequestContext & RemoteAddressRequestContext>: Sendable {
    let database: Database
    let settings: WebSettings
    let origin: RequestOrigin
    let pages = PageRenderer()
    /// The server's key for sealed credentials (the accounts page reads tokens' expiry with it); nil: none given.
    let secrets: SecretBox?
    /// The check of an account with its platform before it is stored (its connector's), as `herald channels connect` runs.
    let accountCheck: @Sendable (AccountKind) -> AccountCheck?
    /// The transport to the platforms' token endpoints.
    let platformHTTP: PlatformHTTP

    public init(
        database: Database,
        settings: WebSettings,
        origin: RequestOrigin = RequestOrigin(),
        secrets: SecretBox? = nil,
        accountCheck: @escaping @Sendable (AccountKind) -> AccountCheck? = { _ in nil },
        platformHTTP: PlatformHTTP = PlatformHTTP()
    ) {
        self.database = database
        self.settings = settings
        self.origin = origin
        self.secrets = secrets
        self.accountCheck = accountCheck
        self.platformHTTP = platformHTTP
    }

    /// Adds the back office's routes under `/app` to `router`.
    public func add(to router: Router<Context>) {
        let app = router.group("app").add(middleware: WebMiddleware(app: self))
        app.get("static/app.css") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/css; charset=utf-8"
            headers[.cacheControl] = "public, max-age=3600"
            let css = AppStylesheet.css + AppStylesheet.calendar
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: css)))
        }
        SignInRoutes(app: self).add(to: app)
        InvitationRoutes(app: self).add(to: app)
        CampaignPages(app: self).add(to: app)
        SchedulePages(app: self).add(to: app)
        CalendarPages(app: self).add(to: app)
        AccountPages(app: self).add(to: app)
        AccountConnectRoutes(app: self).add(to: app)
        ContactPages(app: self).add(to: app)
        AuditPages(app: self).add(to: app)
        CampaignCreatePages(app: self).add(to: app)
        ReviewPages(app: self).add(to: app)
    }

    var sessions: SessionStore { SessionStore(database, idle: settings.sessionIdle) }

    /// The live session of the request's cookie, if any.
    func session(of request: Request) async throws -> WebSession? {
        guard let secret = request.cookies[SessionCookie.name]?.value, !secret.isEmpty else { return nil }
        return try await sessions.session(secret)
    }

    /// The request's session, or a redirect to the sign-in page.
    func requireSession(_ request: Request, context: Context, role: UserRole = .viewer) async throws -> WebSession {
        guard let session = try await session(of: request) else { throw WebError.signInRequired }
        guard session.user.role >= role else {
            context.logger.notice(
                "back-office action refused for the role",
                metadata: ["herald.user.id": "\(session.user.id)", "herald.user.role": "\(session.user.role.rawValue)"]
            )
            throw WebError.forbidden("This needs the \(role.rawValue) role or above; you are a \(session.user.role.rawValue).")
        }
        return session
    }

    /// The CSRF token for a form on a page answering `request`: the session's secret when signed in, else the form
    /// cookie's value (a new one when the browser has none; the page sets it). ``WebMiddleware`` checks by the same rule.
    func formToken(for request: Request) async throws -> (token: String, cookie: String?) {
        if let session = try await session(of: request) { return (session.csrfSecret, nil) }
        if let existing = request.cookies[CSRF.formCookie]?.value, !existing.isEmpty { return (existing, existing) }
        let fresh = SecretToken().secret
        return (fresh, fresh)
    }

    /// The cookies of a response to `request` (Secure when it came over HTTPS or the public URL is https).
    func cookies(for request: Request, context: Context) -> SessionCookie {
        let https = settings.publicURL?.lowercased().hasPrefix("https://") == true || origin.cameOverHTTPS(request, context.remoteAddress)
        return SessionCookie(secure: https)
    }

    /// The posted form, decoded (url-encoded, as browsers send forms).
    func form<Form: Decodable>(_ type: Form.Type, of request: Request) async throws -> Form {
        let body = try await request.body.collect(upTo: WebMiddleware<Context>.maximumFormBytes)
        do {
            return try URLEncodedFormDecoder().decode(Form.self, from: String(buffer: body))
        } catch {
            throw WebError(status: .badRequest, title: "Form not understood", message: "The form was incomplete; go back and send it again.")
        }
    }
}
