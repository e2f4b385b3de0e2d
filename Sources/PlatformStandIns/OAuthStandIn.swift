import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// The OAuth 2.0 authorization server part of the X and LinkedIn stand-ins: an authorization endpoint that approves at
/// once (redirects to `redirect_uri` with `code` and `state`) and a token endpoint (grants `authorization_code` with
/// the PKCE `code_verifier` checked against the S256 `code_challenge`, and `refresh_token`), as RFC 6749, RFC 7636
/// and the platforms' pages describe (https://docs.x.com/resources/fundamentals/authentication/oauth-2-0/authorization-code,
/// https://learn.microsoft.com/linkedin/shared/authentication/authorization-code-flow and
/// https://learn.microsoft.com/linkedin/shared/authentication/programmatic-refresh-tokens).
public final class OAuthStandIn: Sendable {
    struct Code {
        var user: String
        var clientID: String
        var redirectURI: String
        var challenge: String
        var method: String
        var scopes: String
    }

    struct AccessToken {
        var user: String
        var expiresAt: Date
        var grant: UUID
    }

    struct RefreshToken {
        var user: String
        var clientID: String
        var grant: UUID
        var spent = false
    }

    struct State {
        var codes: [String: Code] = [:]
        var access: [String: AccessToken] = [:]
        var refresh: [String: RefreshToken] = [:]
        var revokedGrants: Set<UUID> = []
        var tokenRequests: [String] = []
        var serial = 0
        var refusals = 0
    }

    private let state = Mutex(State())
    /// The user every authorization approves.
    public let user: String
    /// Whether a refresh hands out a new refresh token and spends the old one (X does; LinkedIn does not).
    public let rotatesRefreshTokens: Bool
    /// How long an access token lives (X: 2 hours; LinkedIn: 60 days).
    public let accessLifetime: TimeInterval
    /// Prefix of issued tokens, for readability (`x`, `li`).
    let prefix: String
    /// The `error_description` of a refused refresh token, as the platform words it.
    let invalidRefreshDescription: String

    public init(
        user: String,
        rotatesRefreshTokens: Bool,
        accessLifetime: TimeInterval,
        prefix: String,
        invalidRefreshDescription: String = "Value passed for the token was invalid."
    ) {
        self.user = user
        self.rotatesRefreshTokens = rotatesRefreshTokens
        self.accessLifetime = accessLifetime
        self.prefix = prefix
        self.invalidRefreshDescription = invalidRefreshDescription
    }

    /// Why a bearer token is refused.
    public enum Refusal: Error, Sendable, Equatable {
        case missing, unknown, expired, revoked
    }

    /// The user a bearer `Authorization` header stands for, or why it is refused.
    public func check(authorization: String?) -> Result<String, Refusal> {
        guard let authorization, authorization.hasPrefix("Bearer ") else { return .failure(.missing) }
        let token = String(authorization.dropFirst("Bearer ".count))
        return state.withLock { state in
            guard let access = state.access[token] else { return .failure(.unknown) }
            if state.revokedGrants.contains(access.grant) { return .failure(.revoked) }
            if access.expiresAt <= Date() { return .failure(.expired) }
            return .success(access.user)
        }
    }

    /// Issues an access and a refresh token for `clientID` without the browser dance (a test's pasted tokens).
    public func issue(clientID: String) -> (accessToken: String, refreshToken: String) {
        state.withLock { state in
            let grant = UUID()
            return (
                Self.newAccess(&state, user: user, grant: grant, lifetime: accessLifetime, prefix: prefix),
                Self.newRefresh(&state, user: user, clientID: clientID, grant: grant, prefix: prefix)
            )
        }
    }

    /// Makes `token` (an access token) expired, as if its lifetime had passed.
    public func expire(token: String) {
        state.withLock { $0.access[token]?.expiresAt = .distantPast }
    }

    /// Revokes the grant behind `token` (an access or a refresh token): its access and refresh tokens all stop working,
    /// as when the person removes the app.
    public func revoke(token: String) {
        state.withLock { state in
            if let grant = state.access[token]?.grant ?? state.refresh[token]?.grant { state.revokedGrants.insert(grant) }
        }
    }

    /// Makes the next authorization refused, as when the person presses Cancel on the platform's page: the redirect
    /// carries `error=access_denied` and no code.
    public func refuseNextAuthorization() {
        state.withLock { $0.refusals += 1 }
    }

    /// The grant types of the token requests received, in order.
    public var tokenRequests: [String] { state.withLock { $0.tokenRequests } }

    /// The user a bearer `Authorization` header stands for, when its token is known, unexpired and not revoked.
    public func user(authorization: String?) -> String? {
        try? check(authorization: authorization).get()
    }

    /// `GET <authorize>`: approves at once and redirects (302) to `redirect_uri?code=…&state=…`; a missing PKCE
    /// challenge or client is answered with `error=invalid_request` on the redirect, and an authorization refused with
    /// ``refuseNextAuthorization()`` with `error=access_denied`.
    public func authorize(_ request: Request) -> Response {
        let query = Self.query(of: request)
        guard let redirect = query["redirect_uri"], var components = URLComponents(string: redirect) else {
            return Self.reply(400, ["error": "invalid_request", "error_description": "redirect_uri is required"])
        }
        var items = components.queryItems ?? []
        let refused = state.withLock { state in
            guard state.refusals > 0 else { return false }
            state.refusals -= 1
            return true
        }
        if refused {
            items.append(URLQueryItem(name: "error", value: "access_denied"))
            items.append(URLQueryItem(name: "error_description", value: "The user denied the request"))
        } else if query["response_type"] != "code" || query["client_id"] == nil || query["code_challenge"] == nil {
            items.append(URLQueryItem(name: "error", value: "invalid_request"))
            items.append(URLQueryItem(name: "error_description", value: "response_type=code, client_id and code_challenge are required"))
        } else {
            let code = state.withLock { state in
                state.serial += 1
                let code = "\(prefix)-code-\(state.serial)-\(UUID().uuidString.prefix(8))"
                state.codes[code] = Code(
                    user: user,
                    clientID: query["client_id"] ?? "",
                    redirectURI: redirect,
                    challenge: query["code_challenge"] ?? "",
                    method: query["code_challenge_method"] ?? "plain",
                    scopes: query["scope"] ?? ""
                )
                return code
            }
            items.append(URLQueryItem(name: "code", value: code))
        }
        if let given = query["state"] { items.append(URLQueryItem(name: "state", value: given)) }
        components.queryItems = items
        var headers = HTTPFields()
        headers[.location] = components.url?.absoluteString ?? redirect
        return Response(status: .found, headers: headers)
    }

    /// `POST <token>` (form body): `authorization_code` (code, redirect_uri, code_verifier, client) or `refresh_token`.
    /// Errors are RFC 6749 `{"error", "error_description"}` with 400 (401 for an unknown client).
    public func token(_ request: Request) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 1 << 20)
        let form = Self.form(String(buffer: body))
        var clientID = form["client_id"]
        if let basic = request.headers[.authorization], basic.hasPrefix("Basic "),
            let decoded = Data(base64Encoded: String(basic.dropFirst(6))).map({ String(decoding: $0, as: UTF8.self) }),
            let colon = decoded.firstIndex(of: ":")
        {
            clientID = String(decoded[..<colon]).removingPercentEncoding
        }
        let grantType = form["grant_type"] ?? ""
        state.withLock { $0.tokenRequests.append(grantType) }
        guard let clientID, !clientID.isEmpty else {
            return Self.reply(401, ["error": "invalid_client", "error_description": "Missing valid authorization header"])
        }
        switch grantType {
        case "authorization_code":
            return state.withLock { state -> Response in
                guard let code = form["code"], let grant = state.codes.removeValue(forKey: code) else {
                    return Self.reply(400, ["error": "invalid_request", "error_description": "Value passed for the authorization code was invalid."])
                }
                guard grant.clientID == clientID, grant.redirectURI == form["redirect_uri"] else {
                    return Self.reply(
                        400,
                        ["error": "invalid_request", "error_description": "The client or redirect_uri does not match the authorization request."]
                    )
                }
                let verifier = form["code_verifier"] ?? ""
                let expected = grant.method == "S256" ? Self.s256(verifier) : verifier
                guard !verifier.isEmpty, expected == grant.challenge else {
                    return Self.reply(400, ["error": "invalid_grant", "error_description": "The code_verifier does not match the code_challenge."])
                }
                let id = UUID()
                let access = Self.newAccess(&state, user: grant.user, grant: id, lifetime: accessLifetime, prefix: prefix)
                let refresh = Self.newRefresh(&state, user: grant.user, clientID: clientID, grant: id, prefix: prefix)
                return tokenAnswer(access: access, refresh: refresh, scope: grant.scopes)
            }
        case "refresh_token":
            return state.withLock { state -> Response in
                guard let token = form["refresh_token"], let refresh = state.refresh[token], !refresh.spent,
                    !state.revokedGrants.contains(refresh.grant), refresh.clientID == clientID
                else {
                    return Self.reply(400, ["error": "invalid_request", "error_description": invalidRefreshDescription])
                }
                let access = Self.newAccess(&state, user: refresh.user, grant: refresh.grant, lifetime: accessLifetime, prefix: prefix)
                var next = token
                if rotatesRefreshTokens {
                    state.refresh[token]?.spent = true
                    next = Self.newRefresh(&state, user: refresh.user, clientID: clientID, grant: refresh.grant, prefix: prefix)
                }
                return tokenAnswer(access: access, refresh: next, scope: "")
            }
        default:
            return Self.reply(
                400,
                ["error": "unsupported_grant_type", "error_description": "grant_type must be authorization_code or refresh_token"]
            )
        }
    }

    func tokenAnswer(access: String, refresh: String, scope: String) -> Response {
        Self.reply(
            200,
            ["token_type": "bearer", "access_token": access, "refresh_token": refresh, "expires_in": Int(accessLifetime), "scope": scope]
        )
    }

    static func newAccess(_ state: inout State, user: String, grant: UUID, lifetime: TimeInterval, prefix: String) -> String {
        state.serial += 1
        let token = "\(prefix)-access-\(state.serial)-\(UUID().uuidString.prefix(8))"
        state.access[token] = AccessToken(user: user, expiresAt: Date().addingTimeInterval(lifetime), grant: grant)
        return token
    }

    static func newRefresh(_ state: inout State, user: String, clientID: String, grant: UUID, prefix: String) -> String {
        state.serial += 1
        let token = "\(prefix)-refresh-\(state.serial)-\(UUID().uuidString.prefix(8))"
        state.refresh[token] = RefreshToken(user: user, clientID: clientID, grant: grant)
        return token
    }

    /// `BASE64URL(SHA256(verifier))` without padding.
    static func s256(_ verifier: String) -> String {
        Data(SHA256.hash(data: Data(verifier.utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}

extension OAuthStandIn {
    /// A JSON answer.
    static func reply(_ status: Int, _ object: Any, headers: [(String, String)] = []) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        for (name, value) in headers {
            if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) }
        }
        return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The request's query parameters, percent-decoded.
    static func query(of request: Request) -> [String: String] {
        let items = URLComponents(string: request.uri.description)?.queryItems ?? []
        return Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
    }

    /// An `application/x-www-form-urlencoded` body.
    static func form(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            if let name = parts.first { fields[name] = parts.count > 1 ? parts[1] : "" }
        }
        return fields
    }

    /// Applies the next fault queued for `route`: answers it, stalls, or does the work and then stalls.
    static func withFaults(_ faults: StandInFaults, route: String, _ work: () async throws -> Response) async throws -> Response {
        switch faults.next(for: route) {
        case .answer(let status, let headers, let body)?:
            var fields = HTTPFields()
            fields[.contentType] = "application/json"
            for (name, value) in headers {
                if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) }
            }
            return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(string: body)))
        case .stallBeforeWork(let seconds)?:
            try await Task.sleep(for: .seconds(seconds))
            throw HTTPError(.serviceUnavailable)
        case .storeThenStall(let seconds)?:
            let response = try await work()
            try await Task.sleep(for: .seconds(seconds))
            return response
        case nil:
            return try await work()
        }
    }
}
