import Foundation
import HeraldCore
import Hummingbird
import NIOCore
import Storage

/// What a request carries through the middleware to its route: who it acts as, and how its body is read and its
/// answer written.
public struct APIContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer of the connection the request came on (a proxy's, behind one); nil when not on a socket.
    public let remoteAddress: SocketAddress?
    /// Set by ``AuthMiddleware`` on `/v1` routes.
    public var principal: Principal?
    /// The largest request body accepted, in bytes; set from ``ServerSettings/maximumBodyBytes`` by ``BodyLimitMiddleware``.
    public var maxUploadSize: Int = ServerSettings().maximumBodyBytes

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// Request bodies are decoded by ``APIRequestDecoder``: errors name the field, in the API's error shape.
    public var requestDecoder: APIRequestDecoder { APIRequestDecoder() }

    /// Response bodies are encoded by the API's one encoder (``JSONEncoder/herald(pretty:)``).
    public var responseEncoder: JSONEncoder { JSONResponse.encoder }

    /// The authenticated principal (routes behind ``AuthMiddleware`` always have one).
    public func requirePrincipal() throws -> Principal {
        guard let principal else { throw APIError.unauthorized("missing or invalid token") }
        return principal
    }
}
