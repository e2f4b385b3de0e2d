/// The OAuth 2.0 authorization flow could not finish: the person refused, the answer came back for another request
/// (state mismatch), nobody answered in time, or a value was malformed. The message says what happened and what to do.
public struct OAuthError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
