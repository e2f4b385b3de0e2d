import Foundation

/// Where a platform's OAuth 2.0 authorization server is, and what Herald asks it for.
public struct OAuthProvider: Sendable, Equatable {
    /// How the client proves itself at the token endpoint.
    public enum ClientAuthentication: String, Sendable {
        /// HTTP Basic with `client_id:client_secret` (X, confidential clients); a public client without a secret
        /// sends `client_id` in the body.
        case basic
        /// `client_id` and `client_secret` in the form body (LinkedIn).
        case body
    }

    /// The platform's name, for messages (`X`, `LinkedIn`).
    public var name: String
    /// The authorization endpoint the person's browser opens.
    public var authorizationURL: String
    /// The token endpoint (code exchange and refresh).
    public var tokenURL: String
    /// The scopes Herald asks for by default.
    public var scopes: [String]
    public var clientAuthentication: ClientAuthentication

    public init(name: String, authorizationURL: String, tokenURL: String, scopes: [String], clientAuthentication: ClientAuthentication) {
        self.name = name
        self.authorizationURL = authorizationURL
        self.tokenURL = tokenURL
        self.scopes = scopes
        self.clientAuthentication = clientAuthentication
    }

    /// X (OAuth 2.0 authorization code with PKCE, https://docs.x.com/resources/fundamentals/authentication/oauth-2-0/authorization-code):
    /// `https://x.com/i/oauth2/authorize`, `https://api.x.com/2/oauth2/token`; `offline.access` gives a refresh token.
    public static let x = OAuthProvider(
        name: "X",
        authorizationURL: "https://x.com/i/oauth2/authorize",
        tokenURL: "https://api.x.com/2/oauth2/token",
        scopes: ["tweet.read", "tweet.write", "users.read", "offline.access"],
        clientAuthentication: .basic
    )

    /// LinkedIn (3-legged OAuth, https://learn.microsoft.com/linkedin/shared/authentication/authorization-code-flow):
    /// `https://www.linkedin.com/oauth/v2/authorization`, `https://www.linkedin.com/oauth/v2/accessToken`; `openid profile`
    /// for `/v2/userinfo`, `w_member_social` to post.
    public static let linkedIn = OAuthProvider(
        name: "LinkedIn",
        authorizationURL: "https://www.linkedin.com/oauth/v2/authorization",
        tokenURL: "https://www.linkedin.com/oauth/v2/accessToken",
        scopes: ["openid", "profile", "w_member_social"],
        clientAuthentication: .body
    )

    /// X with both endpoints under `baseURL` (a stand-in: `<base>/i/oauth2/authorize`, `<base>/2/oauth2/token`).
    public static func x(baseURL: String) -> OAuthProvider {
        var provider = x
        provider.authorizationURL = Self.trimmed(baseURL) + "/i/oauth2/authorize"
        provider.tokenURL = Self.trimmed(baseURL) + "/2/oauth2/token"
        return provider
    }

    /// LinkedIn with both endpoints under `baseURL` (a stand-in: `<base>/oauth/v2/authorization`, `<base>/oauth/v2/accessToken`).
    public static func linkedIn(baseURL: String) -> OAuthProvider {
        var provider = linkedIn
        provider.authorizationURL = Self.trimmed(baseURL) + "/oauth/v2/authorization"
        provider.tokenURL = Self.trimmed(baseURL) + "/oauth/v2/accessToken"
        return provider
    }

    /// The provider that refreshes the tokens of an account whose API is at `apiBaseURL`: the real one for the real
    /// API (`https://api.x.com`, `https://api.linkedin.com`), else the one under that base URL (a stand-in or a proxy).
    public static func forAccount(_ kind: AccountKind, apiBaseURL: String) -> OAuthProvider? {
        let base = trimmed(apiBaseURL)
        switch kind {
        case .x: return base == "https://api.x.com" || base == "https://api.twitter.com" ? .x : .x(baseURL: base)
        case .linkedin: return base == "https://api.linkedin.com" ? .linkedIn : .linkedIn(baseURL: base)
        default: return nil
        }
    }

    static func trimmed(_ url: String) -> String {
        url.hasSuffix("/") ? String(url.dropLast()) : url
    }
}
