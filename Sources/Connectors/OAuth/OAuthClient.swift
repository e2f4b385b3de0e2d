import Foundation

/// Talks to a platform's OAuth 2.0 token endpoint through ``PlatformHTTP``: exchanges an authorization code, refreshes
/// an access token.
public struct OAuthClient: Sendable {
    public var http: PlatformHTTP
    public var now: @Sendable () -> Date

    public init(http: PlatformHTTP, now: @escaping @Sendable () -> Date = { Date() }) {
        self.http = http
        self.now = now
    }

    /// Exchanges an authorization `code` (with its PKCE verifier) for credentials that hold the client, so they can be
    /// refreshed later.
    ///
    /// - Throws: ``ConnectorError`` (auth when the platform refuses the code).
    public func exchange(
        provider: OAuthProvider,
        code: String,
        redirectURI: String,
        verifier: String,
        clientID: String,
        clientSecret: String?
    ) async throws -> Credentials {
        let request = OAuthRequests.exchange(
            provider: provider,
            code: code,
            redirectURI: redirectURI,
            verifier: verifier,
            clientID: clientID,
            clientSecret: clientSecret
        )
        let response = try await http.send(request)
        return try OAuthRequests.credentials(
            from: response,
            provider: provider,
            previous: Credentials(clientID: clientID, clientSecret: clientSecret),
            now: now()
        )
    }

    /// Refreshes `credentials` (which must hold a refresh token and the client id) and returns the new ones; the caller
    /// persists them before using them (X rotates the refresh token: the old one is then spent).
    ///
    /// - Throws: ``ConnectorError``: auth when there is nothing to refresh with or the platform refuses the refresh
    ///   token; transient or rate_limited when the token endpoint cannot answer now.
    public func refresh(provider: OAuthProvider, credentials: Credentials) async throws -> Credentials {
        guard let refreshToken = credentials.refreshToken, let clientID = credentials.clientID else {
            throw ConnectorError(
                .auth,
                "\(provider.name)'s access token was refused and there is no refresh token to renew it; reconnect the account"
            )
        }
        let request = OAuthRequests.refresh(
            provider: provider,
            refreshToken: refreshToken,
            clientID: clientID,
            clientSecret: credentials.clientSecret
        )
        let response = try await http.send(request)
        return try OAuthRequests.credentials(from: response, provider: provider, previous: credentials, now: now())
    }
}
