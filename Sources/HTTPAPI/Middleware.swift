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
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthorized("send the header Authorization: Bearer <token> (create one with `herald tokens create`)")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError.unauthorized("the Authorization header must be: Bearer <token>")
        }
        guard let principal = try await tokens.authenticate(String(parts[1]).trimmingCharacters(in: .whitespaces)) else {
            throw APIError.unauthorized("the token is unknown or revoked")
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
}
