import HTTPTypes

/// A refusal the back office answers with a page (or, for ``signInRequired``, a redirect to the sign-in page).
struct WebError: Error, Sendable {
    var status: HTTPResponse.Status
    var title: String
    var message: String
    /// Seconds to wait, sent as `Retry-After` (for 429).
    var retryAfter: Int?

    /// Not signed in, or the session ended: answered by a redirect to `/app/login`.
    static let signInRequired = WebError(status: .seeOther, title: "Sign in", message: "Sign in to continue.")

    static func forbidden(_ message: String) -> WebError {
        WebError(status: .forbidden, title: "Not allowed", message: message)
    }

    static func notFound(_ message: String) -> WebError {
        WebError(status: .notFound, title: "Not found", message: message)
    }
}
