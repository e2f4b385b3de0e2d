import Foundation
import HeraldCore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PostgresNIO
import Storage

/// What a request carries through the middleware to its route: who it acts as.
public struct APIContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by ``AuthMiddleware`` on `/v1` routes.
    public var principal: Principal?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// The authenticated principal (routes behind ``AuthMiddleware`` always have one).
    public func requirePrincipal() throws -> Principal {
        guard let principal else { throw APIError.unauthorized("missing or invalid token") }
        return principal
    }
}
