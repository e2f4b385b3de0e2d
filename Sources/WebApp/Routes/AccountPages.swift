import Connectors
import Foundation
import HTTPTypes
import HeraldCore
import Hummingbird
import Logging
import Storage

/// The channel accounts page, `GET /app/accounts` (any role): each connected account's health, its last post that went
/// out and last that failed, its OAuth token's expiry (X, LinkedIn; read from the sealed credentials, nothing else of
/// them is shown or logged), and, for admins, forms to connect or reconnect X and LinkedIn accounts through the platform
/// (``AccountConnectRoutes``) and the CLI command for the other kinds.
struct AccountPages<Context: RequestContext & RemoteAddressRequestContext> {
    let app: WebApp<Context>

    func add(to group: RouterGroup<Context>) {
        group.get("accounts") { request, context in try await list(request, context: context) }
    }

    struct Model {
        struct Row {
            var name: String
            var kind: String
            var handle: String?
            var health: String
            var reason: String?
            var rateLimitedUntil: String?
            var lastSuccess: String
            var lastFailure: String
            var lastError: String?
            var tokenExpiry: String?
            var reconnect: String?
            /// X and LinkedIn accounts, for admins when the server has the platform's app: the Reconnect button.
            var reconnectForm: Bool
        }

        /// The "Connect X" and "Connect LinkedIn" forms (admins), or what the server needs for them.
        struct Connect {
            var kind: String
            var label: String
            var missing: String?
        }

        var accounts: [Row]
        var hasAccounts: Bool
        var isAdmin: Bool
        var connect: [Connect]
        var csrf: String
        /// After connecting through the platform: which account, and whether it was a reconnect.
        var notice: String?
    }

    /// The forms of the OAuth 2.0 platforms, with what each still needs on this server.
    func connectForms() -> [Model.Connect] {
        [(AccountKind.x, "X"), (.linkedin, "LinkedIn")].map { kind, label in
            let missing =
                app.secrets == nil
                ? "set HERALD_SECRET_KEY (or give the server a key file) and restart it" : app.settings.oauthApps.missing(for: kind)
            return Model.Connect(kind: kind.rawValue, label: label, missing: missing)
        }
    }

    func list(_ request: Request, context: Context) async throws -> Response {
        let session = try await app.requireSession(request, context: context)
        let accounts = try await AccountActivity.list(app.database, workspace: session.user.workspace)
        let utc = TimeZone(identifier: "UTC")!
        let isAdmin = session.user.role >= .admin
        var expiries: [UUID: String] = [:]
        for account in accounts where account.kind == "x" || account.kind == "linkedin" {
            guard let secrets = app.secrets else {
                expiries[account.id] = "unknown (this server has no key for credentials)"
                continue
            }
            do {
                let store = AccountStore(app.database, workspace: session.user.workspace, secrets: secrets)
                expiries[account.id] =
                    try await store.tokenExpiry(account.id).map { PageDates.readable($0, in: utc) } ?? "not given by the platform"
            } catch {
                context.logger.warning(
                    "account credentials did not open for the accounts page",
                    metadata: ["herald.account.id": "\(account.id)", "herald.error": "\(String(describing: type(of: error)))"]
                )
                expiries[account.id] = "unreadable: reconnect the account"
            }
        }
        let forms = isAdmin ? connectForms() : []
        let ready = Set(forms.filter { $0.missing == nil }.map(\.kind))
        let rows = accounts.map { account in
            Model.Row(
                name: account.name,
                kind: account.kind,
                handle: account.handle,
                health: account.health,
                reason: account.reason,
                rateLimitedUntil: account.rateLimitedUntil.map { PageDates.readable($0, in: utc) },
                lastSuccess: account.lastSuccess.map { PageDates.readable($0, in: utc) } ?? "never",
                lastFailure: account.lastFailure.map { PageDates.readable($0, in: utc) } ?? "never",
                lastError: account.lastError,
                tokenExpiry: expiries[account.id],
                reconnect: isAdmin && account.health == "needs_reconnect" ? "herald channels connect \(account.kind) --name \(account.name)" : nil,
                reconnectForm: ready.contains(account.kind)
            )
        }
        let query = request.uri.queryParameters
        var notice: String?
        for (key, verb) in [("connected", "Connected"), ("reconnected", "Reconnected")] {
            // Only a name the workspace has is shown: the address cannot make the page say anything else.
            if let name = query[key[...]].map(String.init), let row = rows.first(where: { $0.name == name }) {
                notice = "\(verb) the \(row.kind) account \(row.name): \(row.health)."
            }
        }
        var person = PageRenderer.Person(session)
        person.atAccounts = true
        return app.pages.page(
            "accounts",
            Model(accounts: rows, hasAccounts: !rows.isEmpty, isAdmin: isAdmin, connect: forms, csrf: session.csrfSecret, notice: notice),
            title: "Channel accounts",
            person: person
        )
    }
}
