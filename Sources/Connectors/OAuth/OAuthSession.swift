import Foundation

/// One operation's use of an account's OAuth 2.0 bearer token: sends requests with the current access token and, the
/// first time the platform answers 401, refreshes the token once, persists the new credentials through
/// ``ConnectedAccount/saveCredentials`` before using them, and sends the request again.
///
/// An access token past its ``Credentials/expiresAt`` is refreshed before the first request. A second 401 (or a
/// refused refresh) is left to the caller's classification: the account needs reconnecting.
public actor OAuthSession {
    private var account: ConnectedAccount
    private let client: OAuthClient
    private let provider: OAuthProvider
    private var refreshed = false

    public init(account: ConnectedAccount, client: OAuthClient, provider: OAuthProvider) {
        self.account = account
        self.client = client
        self.provider = provider
    }

    /// The credentials now (changed when a refresh happened).
    public var credentials: Credentials { account.credentials }

    /// Sends the request `build` makes for the current access token; on a 401 refreshes once and sends it again.
    ///
    /// - Returns: The platform's answer (possibly a second 401, which the caller classifies as auth).
    /// - Throws: ``ConnectorError`` from the wire or from a refused refresh.
    public func send(_ http: PlatformHTTP, _ build: @Sendable (String) throws -> PlatformRequest) async throws -> PlatformResponse {
        if !refreshed, let expiresAt = account.credentials.expiresAt, expiresAt <= client.now(), account.credentials.refreshToken != nil {
            try await refresh()
        }
        guard let token = account.credentials.accessToken else {
            throw ConnectorError(.auth, "the \(provider.name) account \(account.name) has no access token; reconnect it")
        }
        let response = try await http.send(try build(token))
        guard response.status == 401, !refreshed, account.credentials.refreshToken != nil else { return response }
        try await refresh()
        guard let renewed = account.credentials.accessToken else { return response }
        return try await http.send(try build(renewed))
    }

    private func refresh() async throws {
        refreshed = true
        let renewed = try await client.refresh(provider: provider, credentials: account.credentials)
        do {
            try await account.saveCredentials(renewed)
        } catch {
            // The platform may already have spent the old refresh token: without storing the new one, go no further.
            throw ConnectorError(.transient, "could not store the renewed \(provider.name) credentials of \(account.name): \(error)")
        }
        account.credentials = renewed
    }
}
