import Hummingbird

/// `GET /v1/channels`: the workspace's connected accounts, as a JSON array (the same as `herald channels list --json`).
struct AccountsResponse: ResponseGenerator {
    var accounts: [AccountResponse]

    func response(from request: Request, context: some RequestContext) throws -> Response {
        try JSONResponse.make(accounts, status: .ok)
    }
}
