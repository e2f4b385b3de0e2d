import Foundation

/// The pure parts of OAuth 2.0 (RFC 6749, RFC 7636): the authorization URL, the token requests and reading the token
/// answer. No I/O.
public enum OAuthRequests {
    /// The loopback redirect URI for `port` (RFC 8252 section 7.3).
    public static func redirectURI(port: Int) -> String {
        "http://127.0.0.1:\(port)/callback"
    }

    /// The URL the person's browser opens to authorize Herald: `response_type=code`, `client_id`, `redirect_uri`,
    /// `scope` (space-separated), `state`, `code_challenge`, `code_challenge_method=S256`.
    public static func authorizationURL(
        provider: OAuthProvider,
        clientID: String,
        redirectURI: String,
        scopes: [String],
        state: String,
        pkce: PKCE
    ) throws -> URL {
        guard var components = URLComponents(string: provider.authorizationURL) else {
            throw OAuthError("\(provider.name)'s authorization URL \(provider.authorizationURL) is not a URL")
        }
        components.queryItems =
            (components.queryItems ?? []) + [
                URLQueryItem(name: "response_type", value: "code"),
                URLQueryItem(name: "client_id", value: clientID),
                URLQueryItem(name: "redirect_uri", value: redirectURI),
                URLQueryItem(name: "scope", value: scopes.joined(separator: " ")),
                URLQueryItem(name: "state", value: state),
                URLQueryItem(name: "code_challenge", value: pkce.challenge),
                URLQueryItem(name: "code_challenge_method", value: PKCE.method),
            ]
        // URLComponents leaves '+' and '&'-free values alone; a space must go out as %20 and a '+' as %2B.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        guard let url = components.url else {
            throw OAuthError("could not build \(provider.name)'s authorization URL")
        }
        return url
    }

    /// The token request exchanging an authorization `code` (grant `authorization_code`, with the PKCE `code_verifier`).
    public static func exchange(
        provider: OAuthProvider,
        code: String,
        redirectURI: String,
        verifier: String,
        clientID: String,
        clientSecret: String?
    ) -> PlatformRequest {
        tokenRequest(
            provider: provider,
            fields: [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI), ("code_verifier", verifier)],
            clientID: clientID,
            clientSecret: clientSecret
        )
    }

    /// The token request exchanging a refresh token for a new access token (grant `refresh_token`).
    public static func refresh(provider: OAuthProvider, refreshToken: String, clientID: String, clientSecret: String?) -> PlatformRequest {
        tokenRequest(
            provider: provider,
            fields: [("grant_type", "refresh_token"), ("refresh_token", refreshToken)],
            clientID: clientID,
            clientSecret: clientSecret
        )
    }

    static func tokenRequest(provider: OAuthProvider, fields: [(String, String)], clientID: String, clientSecret: String?) -> PlatformRequest {
        var fields = fields
        var headers = [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")]
        switch (provider.clientAuthentication, clientSecret) {
        case (.basic, let secret?):
            let pair = "\(formEncode(clientID)):\(formEncode(secret))"
            headers.append(("Authorization", "Basic " + Data(pair.utf8).base64EncodedString()))
        case (.body, let secret?):
            fields += [("client_id", clientID), ("client_secret", secret)]
        case (_, nil):
            fields.append(("client_id", clientID))
        }
        let body = fields.map { "\(formEncode($0.0))=\(formEncode($0.1))" }.joined(separator: "&")
        // A code can be exchanged once and a rotated refresh token used once: a token request is not idempotent.
        return PlatformRequest(method: "POST", url: provider.tokenURL, headers: headers, body: Data(body.utf8), idempotent: false)
    }

    /// `application/x-www-form-urlencoded` encoding of one name or value.
    static func formEncode(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// A token endpoint's success answer (RFC 6749 section 5.1).
    struct TokenAnswer: Decodable {
        var access_token: String
        var refresh_token: String?
        var expires_in: Double?
    }

    /// A token endpoint's error answer (RFC 6749 section 5.2).
    struct TokenErrorAnswer: Decodable {
        var error: String
        var error_description: String?
    }

    /// Reads a token endpoint's answer into credentials: `access_token`, `refresh_token` (the previous one kept when
    /// the platform does not send a new one), `expires_in` seconds from `now` as ``Credentials/expiresAt``.
    ///
    /// - Throws: ``ConnectorError``: rate_limited on 429, transient on 5xx, auth when the grant is refused
    ///   (`invalid_grant`, a revoked or used refresh token, a bad code), with the platform's own message.
    public static func credentials(
        from response: PlatformResponse,
        provider: OAuthProvider,
        previous: Credentials,
        now: Date
    ) throws -> Credentials {
        guard response.succeeded else { throw classify(response, provider: provider, now: now) }
        guard let answer = try? response.decode(TokenAnswer.self) else {
            throw ConnectorError(
                .transient,
                "\(provider.name)'s token endpoint answered without an access_token: \(response.text())",
                status: response.status
            )
        }
        var credentials = previous
        credentials.accessToken = answer.access_token
        credentials.refreshToken = answer.refresh_token ?? previous.refreshToken
        credentials.expiresAt = answer.expires_in.map { now.addingTimeInterval($0) }
        return credentials
    }

    /// What a token endpoint's failure means.
    public static func classify(_ response: PlatformResponse, provider: OAuthProvider, now: Date) -> ConnectorError {
        let limits = RateLimitHeaders(response, now: now)
        if response.status == 429 {
            return ConnectorError(.rateLimited, "\(provider.name)'s token endpoint is rate limited", status: 429, retryAt: limits.reset)
        }
        if response.status >= 500 || response.status == 408 {
            return ConnectorError(.transient, "\(provider.name)'s token endpoint failed: \(response.text())", status: response.status)
        }
        let message: String
        if let answer = try? response.decode(TokenErrorAnswer.self) {
            message = answer.error_description.map { "\(answer.error): \($0)" } ?? answer.error
        } else {
            message = response.text()
        }
        return ConnectorError(.auth, "\(provider.name) refused the token request: \(message); reconnect the account", status: response.status)
    }
}
