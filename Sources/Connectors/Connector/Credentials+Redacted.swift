/// Credentials never print: `"\(credentials)"`, `String(reflecting:)`, `dump` and the default description of a value
/// holding them (a ``ConnectedAccount`` in a log line or an error) show only which fields are set.
extension Credentials: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The names of the fields that are set, never their values.
    public var description: String {
        let set: [(String, Bool)] = [
            ("access_token", accessToken != nil), ("refresh_token", refreshToken != nil), ("client_id", clientID != nil),
            ("client_secret", clientSecret != nil), ("app_password", appPassword != nil), ("signing_secret", signingSecret != nil),
        ]
        return "Credentials(redacted; set: \(set.filter(\.1).map(\.0).joined(separator: ", ")))"
    }

    /// The same as ``description``.
    public var debugDescription: String { description }

    /// A mirror with no children, so reflection shows no secret.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
