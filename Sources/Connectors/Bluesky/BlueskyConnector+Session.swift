import Foundation

extension BlueskyConnector {
    /// The session one connector call works with: the account's credentials as they change, and whether the session
    /// was already renewed (it is renewed at most once per call, so a refused account never loops).
    struct Session {
        var account: ConnectedAccount
        var credentials: Credentials
        /// The account's DID, once a session answer said it.
        var did: String?
        var renewed = false

        init(account: ConnectedAccount) {
            self.account = account
            self.credentials = account.credentials
            if let handle = account.handle, handle.hasPrefix("did:") { did = handle }
        }
    }

    /// Sends the request `make` builds with the session's access token. When the PDS refuses the session, renews it
    /// once (refresh, else app password), stores the new credentials, and sends again once.
    ///
    /// - Returns: The answer (which may be any other failure, for the caller to classify).
    /// - Throws: ``ConnectorError`` auth when the session is still refused; transient or rate_limited when renewing
    ///   could not be tried.
    func authorized(
        _ session: inout Session,
        _ api: BlueskyAPI,
        _ make: (String) throws -> PlatformRequest
    ) async throws -> PlatformResponse {
        if session.credentials.accessToken?.isEmpty ?? true {
            try await signIn(&session, api)
        }
        let response = try await http.send(try make(session.credentials.accessToken ?? ""))
        guard XRPCError.refusesSession(response) else { return response }
        guard !session.renewed else { throw refused(response) }
        try await renew(&session, api)
        let retried = try await http.send(try make(session.credentials.accessToken ?? ""))
        if XRPCError.refusesSession(retried) { throw refused(retried) }
        return retried
    }

    /// Renews a refused session: `refreshSession` with the refresh token; when that is refused too, `createSession`
    /// with the app password.
    func renew(_ session: inout Session, _ api: BlueskyAPI) async throws {
        session.renewed = true
        if let refresh = session.credentials.refreshToken, !refresh.isEmpty {
            let response = try await http.send(api.refreshSession(refreshJwt: refresh))
            if response.succeeded {
                try await adopt(BlueskyAPI.decode(BlueskyAPI.SessionAnswer.self, from: response), into: &session)
                return
            }
            if !XRPCError.refusesSession(response) { throw XRPCError.classify(response, now: now()) }
        }
        try await signIn(&session, api)
    }

    /// Opens a new session with the app password (`createSession`).
    func signIn(_ session: inout Session, _ api: BlueskyAPI) async throws {
        session.renewed = true
        guard let password = session.credentials.appPassword, !password.isEmpty else {
            throw ConnectorError(.auth, "the session was refused and the account has no app password to sign in again: reconnect it")
        }
        guard let identifier = session.account.handle ?? session.did, !identifier.isEmpty else {
            throw ConnectorError(.auth, "the account has no handle or DID to sign in with: reconnect it")
        }
        let response = try await http.send(api.createSession(identifier: identifier, password: password))
        guard response.succeeded else {
            let error = XRPCError.classify(response, now: now())
            if XRPCError.refusesSession(response) || error.kind == .auth {
                throw ConnectorError(.auth, error.message, status: response.status)
            }
            throw error
        }
        try await adopt(BlueskyAPI.decode(BlueskyAPI.SessionAnswer.self, from: response), into: &session)
    }

    /// Takes a new session's tokens: stores them (encrypted, by the caller's closure) before they are used, so a crash
    /// never loses a rotated refresh token.
    func adopt(_ answer: BlueskyAPI.SessionAnswer, into session: inout Session) async throws {
        var credentials = session.credentials
        credentials.accessToken = answer.accessJwt
        credentials.refreshToken = answer.refreshJwt
        credentials.expiresAt = Self.expiry(ofJWT: answer.accessJwt)
        do {
            try await session.account.saveCredentials(credentials)
        } catch {
            throw ConnectorError(.transient, "could not store the new Bluesky session: \(error)")
        }
        session.credentials = credentials
        session.account.credentials = credentials
        session.did = answer.did
    }

    /// The auth error for a session the PDS still refuses.
    func refused(_ response: PlatformResponse) -> ConnectorError {
        let error = XRPCError.classify(response, now: now())
        return ConnectorError(.auth, error.message, status: response.status)
    }

    /// The `exp` claim of a JWT-shaped token, when it has one.
    static func expiry(ofJWT token: String) -> Date? {
        let parts = token.split(separator: ".")
        guard parts.count == 3 else { return nil }
        var base64 = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64),
            let claims = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let exp = claims["exp"] as? Double
        else { return nil }
        return Date(timeIntervalSince1970: exp)
    }
}
