import Foundation
import HTTPTypes
import HeraldCore
import Hummingbird
import Logging
import Storage

/// `GET|POST /app/invite/{token}`: a person invited with `herald users invite` sets their password, once, and is
/// signed in.
struct InvitationRoutes<Context: RequestContext & RemoteAddressRequestContext> {
    let app: WebApp<Context>

    struct Form: Decodable {
        var password: String?
        var confirm: String?
    }

    struct Model {
        var csrf: String
        var token: String
        var email: String
        var role: String
        var minimumLength = Passwords.minimumLength
        var message: String?
    }

    static var gone: WebError {
        WebError(
            status: .gone,
            title: "Invitation not valid",
            message: "This invitation link was used already, has expired, or was mistyped. Ask an admin for a new one."
        )
    }

    func add(to group: RouterGroup<Context>) {
        group.get("invite/:token") { request, context in try await show(request, context: context) }
        group.post("invite/:token") { request, context in try await accept(request, context: context) }
    }

    func show(_ request: Request, context: Context) async throws -> Response {
        let token = try context.parameters.require("token")
        guard let user = try await UserStore(app.database).invitation(token) else { throw Self.gone }
        return try await page(request, context: context, token: token, user: user, message: nil, status: .ok)
    }

    func page(
        _ request: Request,
        context: Context,
        token: String,
        user: StoredUser,
        message: String?,
        status: HTTPResponse.Status
    ) async throws -> Response {
        // Someone already signed in (an admin trying the link) posts with their session's token.
        let csrf = try await app.formToken(for: request)
        let model = Model(csrf: csrf.token, token: token, email: user.email, role: user.role.rawValue, message: message)
        var response = app.pages.page("invitation", model, title: "Set your password", status: status)
        if let cookie = csrf.cookie { response.setCookie(app.cookies(for: request, context: context).form(cookie)) }
        return response
    }

    func accept(_ request: Request, context: Context) async throws -> Response {
        let token = try context.parameters.require("token")
        let users = UserStore(app.database)
        guard let invited = try await users.invitation(token) else { throw Self.gone }
        let form = try await app.form(Form.self, of: request)
        let password = form.password ?? ""
        do {
            try Passwords.check(password)
        } catch {
            return try await page(
                request,
                context: context,
                token: token,
                user: invited,
                message: "The password \(error.reason).",
                status: .badRequest
            )
        }
        guard password == form.confirm else {
            return try await page(request, context: context, token: token, user: invited, message: "The two passwords differ.", status: .badRequest)
        }
        let hash = try await Passwords.hashOffLoop(password, cost: app.settings.passwordCost)
        guard let user = try await users.accept(invitation: token, passwordHash: hash) else { throw Self.gone }
        let started = try await app.sessions.start(user: user, lifetime: app.settings.sessionLifetime)
        context.logger.info(
            "invitation accepted",
            metadata: ["herald.user.id": "\(user.id)", "herald.workspace": "\(started.session.workspaceSlug)"]
        )
        let cookies = app.cookies(for: request, context: context)
        var response = PageRenderer.redirect(to: "/app")
        response.setCookie(cookies.session(started.secret, maxAge: Int(app.settings.sessionLifetime.components.seconds)))
        response.setCookie(cookies.removing(CSRF.formCookie))
        return response
    }
}
