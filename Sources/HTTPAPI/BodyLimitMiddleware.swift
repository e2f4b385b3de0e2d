import Hummingbird

/// Sets how large a request body the routes accept (``APIContext/maxUploadSize``, which ``APIRequestDecoder`` reads).
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = APIContext
    /// The largest body accepted, in bytes.
    let maximumBytes: Int

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        var context = context
        context.maxUploadSize = maximumBytes
        return try await next(request, context)
    }
}
