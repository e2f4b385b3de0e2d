import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Storage

/// Reads a request's bearer token and says who it acts as, refusing guessers before the database is asked: failed
/// attempts are counted per client address and per token prefix by ``TokenAttemptLimiter``, each failure is logged at
/// warning with the client's address, and once a count is full further attempts get `429` with `Retry-After`
/// (``TokenAttemptLimiter/Refusal``, answered by ``AttemptRefusalMiddleware``) until it drains.
struct TokenGate: Sendable {
    let tokens: TokenStore
    let limiter: TokenAttemptLimiter
    let metrics: ServiceMetrics
    /// Proxies whose `X-Forwarded-For` names the client (``ClientAddress``).
    let trustedProxies: Set<String>

    init(tokens: TokenStore, settings: ServerSettings, metrics: ServiceMetrics) {
        self.tokens = tokens
        self.limiter = TokenAttemptLimiter(limit: settings.tokenAttempts)
        self.metrics = metrics
        self.trustedProxies = settings.trustedProxies
    }

    /// Who the request's bearer token acts as; nil when it sends no Authorization header.
    ///
    /// - Throws: ``TokenAttemptLimiter/Refusal`` when too many attempts failed from its address or for its token's prefix
    ///   (the database is not asked); ``APIError`` (401) for a header that is not `Bearer <token>` or a token that is
    ///   unknown or revoked.
    func principal(of request: Request, context: APIContext) async throws -> Principal? {
        guard let header = request.headers[.authorization] else { return nil }
        let address = ClientAddress.of(request, peer: context.remoteAddress, trustedProxies: trustedProxies)
        let parts = header.split(separator: " ", maxSplits: 1)
        let secret = parts.count == 2 && parts[0].lowercased() == "bearer" ? String(parts[1]).trimmingCharacters(in: .whitespaces) : nil
        if let refusal = limiter.refusal(address: address, secret: secret, now: .now) {
            metrics.recordTokenAttemptRefused(scope: refusal.scope)
            throw refusal
        }
        guard let secret else {
            failed(address: address, secret: nil, reason: "malformed", context: context)
            throw APIError.unauthorized("the Authorization header must be: Bearer <token>")
        }
        guard let principal = try await tokens.authenticate(secret) else {
            failed(address: address, secret: secret, reason: "unknown", context: context)
            throw APIError.unauthorized("the token is unknown or revoked")
        }
        limiter.succeeded(secret: secret)
        return principal
    }

    private func failed(address: String, secret: String?, reason: String, context: APIContext) {
        metrics.recordTokenFailure(reason: reason)
        let prefix = secret.map(TokenAttemptLimiter.prefix(of:)) ?? ""
        context.logger.warning(
            "bearer token refused",
            metadata: ["herald.client.address": .string(address), "herald.token.prefix": .string(prefix), "herald.reason": .string(reason)]
        )
        for scope in limiter.failed(address: address, secret: secret, now: .now) {
            context.logger.warning(
                "too many failed token attempts: refusing further ones for a while",
                metadata: [
                    "herald.client.address": .string(address), "herald.token.prefix": .string(prefix), "herald.scope": .string(scope),
                    "herald.limit": .string("\(limiter.limit.failures) per \(limiter.limit.window)"),
                ]
            )
        }
    }
}
