import HTTPTypes
import Hummingbird

/// Answers a ``TokenAttemptLimiter/Refusal`` thrown by any route as `429 Too Many Requests` in the API's error shape
/// (`too_many_attempts`), with `Retry-After`.
struct AttemptRefusalMiddleware: RouterMiddleware {
    typealias Context = APIContext

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let refusal as TokenAttemptLimiter.Refusal {
            let scope = refusal.scope == "prefix" ? "for this token's prefix" : "from this address"
            let error = APIError(
                status: .tooManyRequests,
                code: "too_many_attempts",
                message: "too many failed token attempts \(scope); try again in \(refusal.retryAfterSeconds) s"
            )
            var response = try error.response(from: request, context: context)
            response.headers[.retryAfter] = String(refusal.retryAfterSeconds)
            return response
        }
    }
}
