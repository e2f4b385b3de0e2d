/// The body of every refusal: `{"error": {"code", "message", "details": [{"location"?, "field"?, "message"}]}}`.
struct ErrorResponse: Encodable {
    /// What went wrong.
    struct Body: Encodable {
        /// A stable, machine-readable code (`validation_failed`, `not_found`...).
        var code: String
        var message: String
        var details: [APIError.Detail]
    }

    var error: Body
}
