import Connectors
import Foundation
import HTTPTypes
import HeraldCore
import Hummingbird
import Logging
import Storage

/// Connecting and reconnecting X and LinkedIn accounts from the accounts page (admins), with OAuth 2.0 authorization
/// code and PKCE (RFC 6749, RFC 7636), as `herald channels connect x|linkedin` does from a terminal:
///
/// - `POST /app/accounts/connect` (kind, name, csrf): records the authorization in progress (``OAuthFlowStore``: the
///   state's hash and the sealed PKCE verifier, bound to this session and workspace, 10 minutes, one use) and answers
///   `303` to the platform's authorization page.
/// - `GET /app/accounts/oauth/callback?code&state` (the platform sends the browser back here): takes the
///   authorization, exchanges the code with the verifier, checks the account with the platform, stores the sealed
///   credentials through ``AccountStore`` (a name the workspace has is reconnected), records `account.connect` or
///   `account.reconnect` in the audit log, and answers `303` to the accounts page. Tokens are never logged or shown.
struct AccountConnectRoutes<Context: RequestContext & RemoteAddressRequestContext> {
    let app: WebApp<Context>

    /// The path of the redirect URI, under the back office's address.
    static var callbackPath: String { "/app/accounts/oauth/callback" }

    func add(to group: RouterGroup<Context>) {
        group.post("accounts/connect") { request, context in try await start(request, context: context) }
        group.get("accounts/oauth/callback") { request, context in try await finish(request, context: context) }
    }

    /// The posted form.
    struct Form: Decodable {
        var kind: String?
        var name: String?
    }

    /// The authorization page of `kind`'s platform for the app configured on this server.
    static func provider(_ kind: AccountKind, app: OAuthApps.App) -> OAuthProvider? {
        OAuthProvider.forAccount(kind, apiBaseURL: app.apiBaseURL)
    }

    /// The redirect URI the platform sends the browser back to: under the public URL when set, else the address the
    /// request came to.
    func redirectURI(for request: Request, context: Context) -> String {
        if let base = app.settings.publicURL {
            var base = base
            while base.hasSuffix("/") { base.removeLast() }
            return base + Self.callbackPath
        }
        let scheme = app.origin.cameOverHTTPS(request, context.remoteAddress) ? "https" : "http"
        return "\(scheme)://\(request.head.authority ?? "localhost")\(Self.callbackPath)"
    }

    func start(_ request: Request, context: Context) async throws -> Response {
        let session = try await app.requireSession(request, context: context, role: .admin)
        let form = try await app.form(Form.self, of: request)
        guard let kind = form.kind.flatMap(AccountKind.init(rawValue:)), let settings = app.settings.oauthApps.app(for: kind) else {
            throw WebError(status: .badRequest, title: "Not accepted", message: "Only X and LinkedIn accounts connect from this page.")
        }
        let name = (form.name ?? "").trimmingCharacters(in: .whitespaces)
        guard Slug.isValid(name) else {
            throw WebError(
                status: .badRequest,
                title: "Not accepted",
                message: "The account's name must be lowercase letters, digits and hyphens (at most 64), as campaign files name it."
            )
        }
        if let missing = app.settings.oauthApps.missing(for: kind) {
            throw WebError(status: .serviceUnavailable, title: "Not configured", message: "To connect \(kind.rawValue) accounts, \(missing).")
        }
        guard let secrets = app.secrets else { throw Self.noKey }
        guard let clientID = settings.clientID, let provider = Self.provider(kind, app: settings) else {
            throw WebError(status: .serviceUnavailable, title: "Not configured", message: "This server cannot connect \(kind.rawValue) accounts.")
        }
        let accounts = AccountStore(app.database, workspace: session.user.workspace, secrets: secrets)
        if let existing = try? await accounts.find(name: name), existing.kind != kind {
            throw WebError(
                status: .conflict,
                title: "Not possible now",
                message: "\"\(name)\" is a \(existing.kind.rawValue) account; choose another name or remove it first."
            )
        }
        let pkce = PKCE.generate()
        let redirectURI = redirectURI(for: request, context: context)
        let state = try await OAuthFlowStore(app.database, secrets: secrets).start(
            session: session,
            kind: kind,
            accountName: name,
            redirectURI: redirectURI,
            verifier: pkce.verifier
        )
        let url = try OAuthRequests.authorizationURL(
            provider: provider,
            clientID: clientID,
            redirectURI: redirectURI,
            scopes: provider.scopes,
            state: state,
            pkce: pkce
        )
        context.logger.info(
            "account authorization started from the back office",
            metadata: ["herald.user.id": "\(session.user.id)", "herald.account.kind": "\(kind.rawValue)", "herald.account.name": "\(name)"]
        )
        return PageRenderer.redirect(to: url.absoluteString)
    }

    /// What the platform's redirect carries.
    struct Callback: Decodable {
        var code: String?
        var state: String?
        var error: String?
        var error_description: String?
    }

    func finish(_ request: Request, context: Context) async throws -> Response {
        let session = try await app.requireSession(request, context: context, role: .admin)
        let query = try request.uri.decodeQuery(as: Callback.self, context: context)
        guard let secrets = app.secrets else { throw Self.noKey }
        let flows = OAuthFlowStore(app.database, secrets: secrets)
        // Taken whatever happens next: a state is good for one try.
        var flow: OAuthFlow?
        if let state = query.state { flow = try await flows.take(state: state) }
        if let error = query.error {
            let reason = query.error_description.map { "\(error): \($0)" } ?? error
            let platform = flow.map { $0.kind == .x ? "X" : "LinkedIn" } ?? "The platform"
            throw WebError(
                status: .ok,
                title: "Not connected",
                message: "\(platform) did not authorize Herald (\(reason)). Nothing was connected; try again from the accounts page."
            )
        }
        guard let flow, flow.session == session.id, flow.workspace == session.user.workspace else {
            context.logger.notice(
                "account authorization refused: unknown, used or another session's state",
                metadata: ["herald.user.id": "\(session.user.id)"]
            )
            throw WebError(
                status: .badRequest,
                title: "Not connected",
                message:
                    "This authorization was not started from this session, or was already used. Nothing was connected; start again from the accounts page."
            )
        }
        guard !flow.expired else {
            throw WebError(
                status: .badRequest,
                title: "Not connected",
                message: "This authorization expired (it lasts 10 minutes). Nothing was connected; start again from the accounts page."
            )
        }
        guard let code = query.code, !code.isEmpty, let settings = app.settings.oauthApps.app(for: flow.kind), let clientID = settings.clientID,
            let provider = Self.provider(flow.kind, app: settings)
        else {
            throw WebError(status: .badRequest, title: "Not connected", message: "The platform sent no authorization code. Nothing was connected.")
        }
        let accounts = AccountStore(app.database, workspace: session.user.workspace, secrets: secrets)
        let existed = (try? await accounts.find(name: flow.accountName)) != nil
        let stored: StoredAccount
        let outcome: AccountCheckOutcome
        do {
            let credentials = try await OAuthClient(http: app.platformHTTP).exchange(
                provider: provider,
                code: code,
                redirectURI: flow.redirectURI,
                verifier: flow.verifier,
                clientID: clientID,
                clientSecret: settings.clientSecret
            )
            (stored, outcome) = try await accounts.connect(
                name: flow.accountName,
                kind: flow.kind,
                baseURL: settings.apiBaseURL,
                handle: nil,
                credentials: credentials,
                check: app.accountCheck(flow.kind)
            )
        } catch let error as ConnectorError {
            context.logger.notice(
                "account authorization failed at the platform",
                metadata: [
                    "herald.user.id": "\(session.user.id)", "herald.account.kind": "\(flow.kind.rawValue)",
                    "herald.error.kind": "\(error.kind.rawValue)",
                ]
            )
            throw WebError(status: .badGateway, title: "Not connected", message: "\(error.message). Nothing was connected.")
        }
        let action = existed ? "account.reconnect" : "account.connect"
        try await AuditLog(app.database, workspace: session.user.workspace).record(
            action,
            subjectKind: "account",
            subjectID: stored.id.uuidString.lowercased(),
            details: ["name": .string(stored.name), "kind": .string(stored.kind.rawValue), "check": .string(outcome.summary)],
            actor: AuditActor.user(session.user.id, name: session.user.email, role: session.user.role)
        )
        context.logger.info(
            "account connected from the back office",
            metadata: [
                "herald.user.id": "\(session.user.id)", "herald.account.id": "\(stored.id)", "herald.account.kind": "\(stored.kind.rawValue)",
                "herald.audit.action": "\(action)",
            ]
        )
        return PageRenderer.redirect(to: "/app/accounts?\(existed ? "reconnected" : "connected")=\(stored.name)")
    }

    static var noKey: WebError {
        WebError(
            status: .serviceUnavailable,
            title: "Not configured",
            message: "This server has no key to seal credentials with: start it with HERALD_SECRET_KEY or a key file under HERALD_HOME."
        )
    }
}
