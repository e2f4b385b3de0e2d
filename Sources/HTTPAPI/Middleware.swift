import Foundation
import HTTPTypes
import HeraldCore
import Hummingbird
import Logging
import Storage

/// Answers every error in the API's error shape, logs one line per request (and server errors),
/// adds `X-Request-Id`, and records the request in the metrics.
///
/// The request line carries the request id (`hb.request.id`, as in the header), method, path, status and
/// duration. Credentials are never logged: tokens travel in a header that is not logged, and share-link
/// signatures are replaced by `[redacted]` in the logged query.
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
            if apiError.code == "database_unavailable" {
                // An outage is logged once by the pool (OutageLog); each refused request only at debug.
                context.logger.debug("request refused: database unavailable", metadata: ["herald.error": "\(apiError.message)"])
            } else if apiError.status.code >= 500 {
                context.logger.error("request failed", metadata: ["herald.error": "\(String(reflecting: error))"])
            } else {
                context.logger.debug("request refused", metadata: ["herald.error": "\(apiError.code): \(apiError.message)"])
            }
            response = try apiError.response(from: request, context: context)
        }
        response.headers[.requestID] = context.id
        let duration = ContinuousClock.now - start
        context.logger.info(
            "request",
            metadata: [
                "hb.request.method": .string(request.method.rawValue),
                "hb.request.path": .string(Self.loggable(path: request.uri.path, query: request.uri.query)),
                "hb.response.status": .stringConvertible(response.status.code),
                "herald.duration_ms": .string(
                    String(format: "%.1f", Double(duration.components.attoseconds) / 1e15 + Double(duration.components.seconds) * 1000)
                ),
            ]
        )
        metrics.recordRequest(
            method: request.method.rawValue,
            route: context.endpointPath ?? "unmatched",
            status: response.status.code,
            duration: duration
        )
        return response
    }

    /// Query parameters whose values are credentials.
    static let secretParameters: Set<Substring> = ["signature"]

    /// Paths whose last part is a credential (the back office's one-time invitation links).
    static let secretPathPrefixes = ["/app/invite/"]

    /// The path and query with the values of ``secretParameters`` and the secret of ``secretPathPrefixes`` replaced
    /// by `[redacted]`.
    static func loggable(path: String, query: String?) -> String {
        var path = path
        if let prefix = secretPathPrefixes.first(where: { path.hasPrefix($0) && path.count > $0.count }) { path = prefix + "[redacted]" }
        guard let query, !query.isEmpty else { return path }
        let items = query.split(separator: "&", omittingEmptySubsequences: false).map { item -> Substring in
            let name = item.prefix { $0 != "=" }
            return secretParameters.contains(name) ? name + "=[redacted]" : item
        }
        return path + "?" + items.joined(separator: "&")
    }
}

extension HTTPField.Name {
    static let requestID = HTTPField.Name("X-Request-Id")!
}

/// Checks the bearer token of `/v1` requests and scopes them to its workspace.
///
/// Reading needs any role; writing (POST, PUT, PATCH, DELETE) needs editor, approver or admin (approving variants needs
/// approver or admin: ``ReviewStore`` checks it). Failed attempts are limited per
/// client address and per token prefix by the ``TokenGate`` (`429` once too many failed).
struct AuthMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let gate: TokenGate

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        guard let principal = try await gate.principal(of: request, context: context) else {
            throw APIError.unauthorized("send the header Authorization: Bearer <token> (create one with `herald tokens create`)")
        }
        let writes: Set<HTTPRequest.Method> = [.post, .put, .patch, .delete]
        if writes.contains(request.method), principal.role < .editor {
            throw APIError.forbidden("a \(principal.role.rawValue) token can only read; writing needs an editor, approver or admin token")
        }
        var context = context
        context.principal = principal
        context.logger[metadataKey: "herald.workspace"] = .string(principal.workspaceSlug)
        return try await next(request, context)
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
