import Foundation

/// A connected account as a connector sees it: where the platform is, who the account is, and its decrypted
/// credentials (never logged, never returned by the API).
public struct ConnectedAccount: Sendable {
    public var id: UUID
    /// The name the workspace gave it (`brand`).
    public var name: String
    public var kind: AccountKind
    /// The platform's base URL: the Mastodon instance, the Bluesky PDS (`https://bsky.social`), the X or LinkedIn
    /// API (`https://api.x.com`, `https://api.linkedin.com`), or the webhook's URL. Configurable per account, so
    /// tests and self-hosted servers use their own.
    public var baseURL: String
    /// The platform's name for the account: a Bluesky handle or DID, an X user id, a LinkedIn author URN
    /// (`urn:li:person:…`), a Mastodon account id; nil until known.
    public var handle: String?
    public var credentials: Credentials
    /// Stores changed credentials (encrypted) before the connector uses them.
    public var saveCredentials: @Sendable (Credentials) async throws -> Void

    public init(
        id: UUID = UUID(),
        name: String,
        kind: AccountKind,
        baseURL: String,
        handle: String? = nil,
        credentials: Credentials,
        saveCredentials: @escaping @Sendable (Credentials) async throws -> Void = { _ in }
    ) {
        self.id = id
        self.name = name
        self.kind = kind
        self.baseURL = baseURL
        self.handle = handle
        self.credentials = credentials
        self.saveCredentials = saveCredentials
    }
}

/// An account's secrets, as stored encrypted (one JSON document per account). Each kind uses some of the fields.
public struct Credentials: Sendable, Codable, Equatable {
    /// A bearer token: Mastodon's access token, an X or LinkedIn OAuth 2.0 access token, a Bluesky session's
    /// `accessJwt`.
    public var accessToken: String?
    /// An OAuth 2.0 refresh token (X, LinkedIn) or a Bluesky session's `refreshJwt`.
    public var refreshToken: String?
    /// When the access token expires, when the platform said.
    public var expiresAt: Date?
    /// The OAuth 2.0 client that refreshes the tokens (X, LinkedIn).
    public var clientID: String?
    public var clientSecret: String?
    /// A Bluesky app password (creates a new session when the refresh token is gone).
    public var appPassword: String?
    /// A webhook's signing secret.
    public var signingSecret: String?

    public init(
        accessToken: String? = nil,
        refreshToken: String? = nil,
        expiresAt: Date? = nil,
        clientID: String? = nil,
        clientSecret: String? = nil,
        appPassword: String? = nil,
        signingSecret: String? = nil
    ) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresAt = expiresAt
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.appPassword = appPassword
        self.signingSecret = signingSecret
    }

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case refreshToken = "refresh_token"
        case expiresAt = "expires_at"
        case clientID = "client_id"
        case clientSecret = "client_secret"
        case appPassword = "app_password"
        case signingSecret = "signing_secret"
    }
}

/// What a platform says about an account when it is checked.
public struct AccountProfile: Sendable, Equatable, Codable {
    /// The platform's id for the account (a DID, a user id, a person URN).
    public var id: String
    /// Its handle or display name.
    public var handle: String
    /// Followers now, when the platform says: the reach of a post where the platform gives no impressions.
    public var followers: Int?

    public init(id: String, handle: String, followers: Int? = nil) {
        self.id = id
        self.handle = handle
        self.followers = followers
    }
}
