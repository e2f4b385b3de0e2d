import Connectors
import Crypto
import Foundation
import HeraldCore
import Hummingbird
import Storage

/// The workspace's connected platform accounts: `/v1/channels`. Credentials go in on `POST` and never come out.
struct AccountRoutes {
    let database: Database
    let settings: ServerSettings

    func add(to group: RouterGroup<APIContext>) {
        group.get("channels", use: list)
        group.post("channels", use: create)
        group.delete("channels/{name}", use: delete)
    }

    /// The store of the request's workspace; listing and removing need no key, so without one a box that seals nothing
    /// is never needed: only ``create`` requires ``ServerSettings/secrets``.
    func store(_ context: APIContext, secrets: SecretBox) throws -> AccountStore {
        AccountStore(database, workspace: try context.requirePrincipal().workspace, secrets: secrets)
    }

    /// A box for the routes that open nothing (listing, removing) when the server has no key.
    static let noKey = SecretBox(key: SymmetricKey(size: .bits256), source: "no key (this server was given none)")

    @Sendable func list(_ request: Request, context: APIContext) async throws -> AccountsResponse {
        let accounts = try await store(context, secrets: settings.secrets ?? Self.noKey).list()
        return AccountsResponse(accounts: accounts.map(AccountResponse.init))
    }

    /// Body: ``CreateAccountRequest``; connecting a name again reconnects that account. Answers 201 with the account.
    @Sendable func create(_ request: Request, context: APIContext) async throws -> EditedResponse<AccountResponse> {
        let body = try await request.decode(as: CreateAccountRequest.self, context: context)
        guard let secrets = settings.secrets else {
            throw APIError(
                status: .serviceUnavailable,
                code: "no_secret_key",
                message: "this server has no key to encrypt credentials with: start it with HERALD_SECRET_KEY or a key file under HERALD_HOME"
            )
        }
        do {
            let (account, _) = try await store(context, secrets: secrets).connect(
                name: body.name,
                kind: body.kind,
                baseURL: body.baseURL,
                handle: body.handle,
                credentials: body.credentials,
                check: settings.accountCheck(body.kind)
            )
            return EditedResponse(status: .created, response: AccountResponse(account))
        } catch let error as ConnectorError {
            throw APIError(status: .unprocessableContent, code: "credentials_refused", message: error.message)
        }
    }

    @Sendable func delete(_ request: Request, context: APIContext) async throws -> HTTPResponse.Status {
        let name = try context.parameters.require("name")
        try await store(context, secrets: settings.secrets ?? Self.noKey).remove(name: name)
        return .noContent
    }
}
