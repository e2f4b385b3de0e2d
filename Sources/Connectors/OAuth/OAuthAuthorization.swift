import Foundation

/// Connects an X or LinkedIn account with OAuth 2.0 authorization code + PKCE through a loopback redirect.
public enum OAuthAuthorization {
    /// Runs the whole sign-in: makes a PKCE pair and a random `state`, listens on 127.0.0.1 (``OAuthLoopback``), calls
    /// `open` with the authorization URL (the CLI opens it in a browser and prints it), waits for the redirect, and
    /// exchanges the code at the token endpoint.
    ///
    /// ```swift
    /// let credentials = try await OAuthAuthorization.authorize(
    ///     provider: .x, clientID: id, clientSecret: secret, scopes: OAuthProvider.x.scopes, http: PlatformHTTP()
    /// ) { url in print("Open \(url) to connect Herald") }
    /// ```
    ///
    /// - Parameters:
    ///   - provider: ``OAuthProvider/x`` or ``OAuthProvider/linkedIn`` (or one under a stand-in's base URL).
    ///   - clientID: The app's OAuth 2.0 client id (registered with `http://127.0.0.1:<port>/callback` as redirect URI).
    ///   - clientSecret: The app's client secret; nil for a public client (X allows them; LinkedIn needs a secret).
    ///   - scopes: What to ask for; the provider's ``OAuthProvider/scopes`` by default.
    ///   - http: The transport to the token endpoint.
    ///   - port: The loopback port. X and LinkedIn accept only a redirect URI registered for the app, port included, so
    ///     the CLI passes a fixed one (the same as registered, e.g. 8765 for `http://127.0.0.1:8765/callback`); 0 picks a
    ///     free port (stand-ins accept any).
    ///   - timeout: How long to wait for the person to approve.
    ///   - now: The clock that turns `expires_in` into ``Credentials/expiresAt``.
    ///   - open: Shows the authorization URL to the person (returns at once; called once the listener is up).
    /// - Returns: Credentials with the access token, refresh token, expiry and the client (so they can be refreshed);
    ///   the caller stores them encrypted.
    /// - Throws: ``OAuthError`` (refused, state mismatch, timeout) or ``ConnectorError`` (the token endpoint refused).
    public static func authorize(
        provider: OAuthProvider,
        clientID: String,
        clientSecret: String?,
        scopes: [String]? = nil,
        http: PlatformHTTP,
        port: Int = 0,
        timeout: Duration = .seconds(300),
        now: @escaping @Sendable () -> Date = { Date() },
        open: (URL) -> Void
    ) async throws -> Credentials {
        let pkce = PKCE.generate()
        var generator = SystemRandomNumberGenerator()
        let state = PKCE.base64URL(Data((0..<24).map { _ in UInt8.random(in: 0...255, using: &generator) }))
        var redirectURI = ""
        let code = try await OAuthLoopback.receiveCode(port: port, state: state, timeout: timeout) { uri in
            redirectURI = uri
            let url = try OAuthRequests.authorizationURL(
                provider: provider,
                clientID: clientID,
                redirectURI: uri,
                scopes: scopes ?? provider.scopes,
                state: state,
                pkce: pkce
            )
            open(url)
        }
        return try await OAuthClient(http: http, now: now).exchange(
            provider: provider,
            code: code,
            redirectURI: redirectURI,
            verifier: pkce.verifier,
            clientID: clientID,
            clientSecret: clientSecret
        )
    }
}
