/// Whether an account can publish now: ok, rate limited until a time, or refused until someone reconnects it.
public enum AccountHealth: String, Sendable, Codable, CaseIterable {
    case ok
    /// The platform's rate limit is exhausted until ``StoredAccount/rateLimitedUntil``.
    case rateLimited = "rate_limited"
    /// The platform refused the credentials (after a refresh, where there is one): its publications wait until the
    /// account is connected again (`herald channels connect` with the same name).
    case needsReconnect = "needs_reconnect"
}
