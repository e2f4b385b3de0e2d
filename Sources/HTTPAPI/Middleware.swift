import Foundation
import HeraldCore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PostgresNIO
import Storage

/// Answers every error in the API's error shape, logs server errors, adds `X-Request-Id`,
/// and records the request in the metrics.
struct ObservingMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            let apiError = APIError.from(error, requestID: context.id)
            if apiError.status.code >= 500 {
                context.logger.error("request failed", metadata: ["herald.error": "\(String(reflecting: error))"])
            } else {
                context.logger.debug("request refused", metadata: ["herald.error": "\(apiError.code): \(apiError.message)"])
            }
            response = try apiError.response(from: request, context: context)
        }
        response.headers[.requestID] = context.id
        metrics.recordRequest(
            method: request.method.rawValue, route: context.endpointPath ?? "unmatched", status: response.status.code,
            duration: ContinuousClock.now - start
        )
        return response
    }
}

extension HTTPField.Name {
    static let requestID = HTTPField.Name("X-Request-Id")!
}

/// Checks the bearer token of `/v1` requests and scopes them to its workspace.
///
/// Reading needs any role; writing (POST, PUT, PATCH, DELETE) needs editor or admin.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let tokens: TokenStore

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        guard let principal = try await Self.principal(of: request, tokens: tokens) else {
            throw APIError.unauthorized("send the header Authorization: Bearer <token> (create one with `herald tokens create`)")
        }
        let writes: Set<HTTPRequest.Method> = [.post, .put, .patch, .delete]
        if writes.contains(request.method), principal.role < .editor {
            throw APIError.forbidden("a \(principal.role.rawValue) token can only read; writing needs an editor or admin token")
        }
        var context = context
        context.principal = principal
        context.logger[metadataKey: "herald.workspace"] = .string(principal.workspaceSlug)
        return try await next(request, context)
    }

    /// Who the request's bearer token acts as; nil when it sends no Authorization header.
    ///
    /// - Throws: ``APIError`` (401) for a header that is not `Bearer <token>` or a token that is unknown or revoked.
    static func principal(of request: Request, tokens: TokenStore) async throws -> Principal? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError.unauthorized("the Authorization header must be: Bearer <token>")
        }
        guard let principal = try await tokens.authenticate(String(parts[1]).trimmingCharacters(in: .whitespaces)) else {
            throw APIError.unauthorized("the token is unknown or revoked")
        }
        return principal
    }
}

extension APIContext {
    /// The campaign named by the `{campaign}` path parameter (id or slug) in the token's workspace;
    /// another workspace's campaign is "not found".
    func campaign(in database: Database) async throws -> Campaign {
        try await CampaignStore(database, workspace: try requirePrincipal().workspace).find(try parameters.require("campaign"))
    }
}

extension ServerSettings {
    /// Where links to this service point: the configured public URL, else the host the request came to.
    func baseURL(for request: Request) -> String {
        publicURL ?? "http://\(request.head.authority ?? "\(host):\(port)")"
    }
}
