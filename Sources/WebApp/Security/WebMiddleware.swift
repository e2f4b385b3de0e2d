import Foundation
import HTTPTypes
import HeraldCore
import Hummingbird
import Logging
import Storage

/// Every `/app` answer: security headers (CSP with no inline script, nosniff, no referrer, no framing), the CSRF
/// check of every POST, and refusals and failures answered as pages.
struct WebMiddleware<Context: RequestContext & RemoteAddressRequestContext>: RouterMiddleware {
    let app: WebApp<Context>

    /// The largest form accepted.
    static var maximumFormBytes: Int { 64 << 10 }

    static var contentSecurityPolicy: String {
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    }

    static var policyField: HTTPField.Name { HTTPField.Name("Content-Security-Policy")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            var request = request
            if request.method == .post {
                request = try await checkCSRF(request, context: context)
            }
            response = try await next(request, context)
        } catch let error as WebError where error.status == .seeOther {
            response = PageRenderer.redirect(to: "/app/login")
        } catch let error as WebError {
            response = app.pages.problem(error)
        } catch let error as NotFoundError {
            response = app.pages.problem(.notFound("There is no \(error.kind) \"\(error.id)\" in your workspace."))
        } catch let error as ForbiddenError {
            response = app.pages.problem(.forbidden(error.message))
        } catch let error as ConflictError {
            response = app.pages.problem(WebError(status: .conflict, title: "Not possible now", message: error.message))
        } catch let error as HeraldCore.ValidationError {
            response = app.pages.problem(WebError(status: .badRequest, title: "Not accepted", message: error.description))
        } catch let error as HTTPError where error.status == .contentTooLarge {
            response = app.pages.problem(WebError(status: .contentTooLarge, title: "Too large", message: "The form was too large."))
        } catch {
            context.logger.error("back-office page failed", metadata: ["herald.error": "\(String(reflecting: error))"])
            response = app.pages.problem(
                WebError(status: .internalServerError, title: "Something went wrong", message: "Herald could not answer; try again shortly.")
            )
        }
        // A page may narrow the policy for itself (the report page: inline styles, nothing else).
        if response.headers[Self.policyField] == nil { response.headers[Self.policyField] = Self.contentSecurityPolicy }
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        return response
    }

    /// The request with its body read, when its `csrf` field matches the session's secret (or, with no session, the
    /// form cookie); a 403 page otherwise.
    func checkCSRF(_ request: Request, context: Context) async throws -> Request {
        var request = request
        let body = try await request.body.collect(upTo: Self.maximumFormBytes)
        request.body = RequestBody(buffer: body)
        let given = (try? URLEncodedFormDecoder().decode(CSRFField.self, from: String(buffer: body)))?.csrf
        let expected: String?
        if let session = try await app.session(of: request) {
            expected = session.csrfSecret
        } else {
            expected = request.cookies[CSRF.formCookie]?.value
        }
        guard CSRF.matches(given, expected) else {
            context.logger.notice(
                "back-office form refused: missing or wrong CSRF token",
                metadata: ["hb.endpoint": "\(context.endpointPath ?? "unmatched")"]
            )
            throw WebError.forbidden("This form had expired or did not come from Herald. Go back, reload the page and send it again.")
        }
        return request
    }
}
