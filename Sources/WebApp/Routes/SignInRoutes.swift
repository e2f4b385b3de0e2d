import Foundation
import HTTPTypes
import HeraldCore
import Hummingbird
import Logging
import Storage

/// Signing in and out: `GET|POST /app/login`, `POST /app/logout`.
///
/// An unknown email and a wrong password get the same answer, after the same bcrypt work. Failed attempts are limited
/// per account and per client address (``SignInLimit``); past the limit the answer is `429` with `Retry-After` and a
/// warning is logged (with the address and account, never the password).
struct SignInRoutes<Context: RequestContext & RemoteAddressRequestContext> {
    let app: WebApp<Context>

    static var failedMessage: String { "That email and password do not match an account. Check both and try again." }

    struct Form: Decodable {
        var email: String?
        var password: String?
    }

    struct Model {
        var csrf: String
        var email: String
        var message: String?
    }

    func add(to group: RouterGroup<Context>) {
        group.get("login") { request, context in try await show(request, context: context) }
        group.post("login") { request, context in try await signIn(request, context: context) }
        group.post("logout") { request, context in try await signOut(request, context: context) }
    }

    func show(_ request: Request, context: Context) async throws -> Response {
        if try await app.session(of: request) != nil { return PageRenderer.redirect(to: "/app") }
        return page(request, context: context, email: "", message: nil, status: .ok)
    }

    /// The sign-in page, with a form cookie for its CSRF token (kept when the browser has one).
    func page(_ request: Request, context: Context, email: String, message: String?, status: HTTPResponse.Status) -> Response {
        let existing = request.cookies[CSRF.formCookie]?.value
        let token = existing.flatMap { $0.isEmpty ? nil : $0 } ?? SecretToken().secret
        var response = app.pages.page("login", Model(csrf: token, email: email, message: message), title: "Sign in", status: status)
        response.setCookie(app.cookies(for: request, context: context).form(token))
        return response
    }

    func signIn(_ request: Request, context: Context) async throws -> Response {
        let form = try await app.form(Form.self, of: request)
        let email = (form.email ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let password = form.password ?? ""
        let address = app.origin.clientAddress(request, context.remoteAddress)
        let limit = app.settings.signInLimit
        let failures = SignInFailures(app.database)
        let account = SignInFailures.account(email)
        let client = SignInFailures.address(address)

        let waitAccount = try await failures.retryAfter(account, limit: limit.perAccount, window: limit.window)
        let waitAddress = try await failures.retryAfter(client, limit: limit.perAddress, window: limit.window)
        if let wait = [waitAccount, waitAddress].compactMap({ $0 }).max() {
            context.logger.warning(
                "sign-in refused: too many failed attempts",
                metadata: [
                    "herald.signin.account": "\(account)",
                    "herald.signin.address": "\(address)",
                    "herald.signin.limited_by": "\(waitAccount != nil ? "account" : "address")",
                    "herald.signin.retry_after_s": "\(wait)",
                ]
            )
            var error = WebError(
                status: .tooManyRequests,
                title: "Too many attempts",
                message: "Too many failed sign-ins. Wait \(Self.minutes(wait)) and try again."
            )
            error.retryAfter = wait
            return app.pages.problem(error)
        }

        let candidates = email.isEmpty ? [] : try await UserStore(app.database).signInCandidates(email: email)
        var signedIn: SignInCandidate?
        for candidate in candidates where try await Passwords.verifyOffLoop(password, hash: candidate.passwordHash) {
            signedIn = candidate
            break
        }
        // An unknown email costs the same bcrypt work as a wrong password.
        if candidates.isEmpty { try await Passwords.verifyDecoyOffLoop(password) }
        guard let signedIn else {
            try await failures.record([account, client], window: limit.window)
            context.logger.info("sign-in failed", metadata: ["herald.signin.account": "\(account)", "herald.signin.address": "\(address)"])
            return page(request, context: context, email: email, message: Self.failedMessage, status: .unauthorized)
        }
        try await failures.clear(account)
        let started = try await app.sessions.start(user: signedIn.user, lifetime: app.settings.sessionLifetime)
        context.logger.info(
            "signed in",
            metadata: ["herald.user.id": "\(signedIn.user.id)", "herald.workspace": "\(signedIn.workspaceSlug)"]
        )
        let cookies = app.cookies(for: request, context: context)
        var response = PageRenderer.redirect(to: "/app")
        response.setCookie(cookies.session(started.secret, maxAge: Int(app.settings.sessionLifetime.components.seconds)))
        response.setCookie(cookies.removing(CSRF.formCookie))
        return response
    }

    func signOut(_ request: Request, context: Context) async throws -> Response {
        if let session = try await app.session(of: request) {
            try await app.sessions.end(session.id)
            context.logger.info("signed out", metadata: ["herald.user.id": "\(session.user.id)"])
        }
        var response = PageRenderer.redirect(to: "/app/login")
        response.setCookie(app.cookies(for: request, context: context).removing(SessionCookie.name))
        return response
    }

    static func minutes(_ seconds: Int) -> String {
        seconds < 90 ? "\(seconds) seconds" : "\((seconds + 59) / 60) minutes"
    }
}
