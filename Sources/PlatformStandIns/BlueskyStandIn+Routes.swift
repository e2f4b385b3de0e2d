import Foundation
import Hummingbird
import NIOCore
import Synchronization

extension BlueskyStandIn {
    /// An XRPC answer before the rate-limit headers are added.
    struct Answer: Sendable {
        var status: Int
        var body: Data
        var headers: [String: String] = [:]

        /// A JSON answer.
        static func json(_ object: Any, status: Int = 200) -> Answer {
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
            return Answer(status: status, body: data)
        }

        /// An XRPC error body `{"error": name, "message": message}`.
        static func error(_ status: Int, _ name: String, _ message: String) -> Answer {
            json(["error": name, "message": message], status: status)
        }
    }

    /// What a handler sees of a request.
    struct Call: Sendable {
        var authorization: String?
        var contentType: String?
        var query: [(String, String)]
        var body: Data

        func parameter(_ name: String) -> String? { query.first { $0.0 == name }?.1 }
        func parameters(_ name: String) -> [String] { query.filter { $0.0 == name }.map(\.1) }
    }

    /// The router: `/xrpc/<nsid>` for every endpoint the stand-in serves.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        route(router, .post, "com.atproto.server.createSession") { $0.createSession($1) }
        route(router, .post, "com.atproto.server.refreshSession") { $0.refreshSession($1) }
        route(router, .get, "com.atproto.server.getSession") { $0.getSession($1) }
        route(router, .get, "com.atproto.identity.resolveHandle") { $0.resolveHandle($1) }
        route(router, .post, "com.atproto.repo.uploadBlob") { $0.uploadBlob($1) }
        route(router, .post, "com.atproto.repo.createRecord") { $0.createRecord($1) }
        route(router, .get, "com.atproto.repo.getRecord") { $0.getRecord($1) }
        route(router, .get, "app.bsky.feed.getPosts") { $0.getPosts($1) }
        route(router, .get, "app.bsky.actor.getProfile") { $0.getProfile($1) }
        return router
    }

    /// Adds one XRPC endpoint: counts the request, applies a queued fault or the rate limit, runs the handler, and adds
    /// the `RateLimit-*` headers to the answer.
    private func route(
        _ router: Router<BasicRequestContext>,
        _ method: HTTPRequest.Method,
        _ nsid: String,
        _ handler: @escaping @Sendable (BlueskyStandIn, Call) -> Answer
    ) {
        let name = String(nsid.split(separator: ".").last!)
        router.on(RouterPath("/xrpc/\(nsid)"), method: method) { [self] request, _ -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 16 << 20)
            let call = Call(
                authorization: request.headers[.authorization],
                contentType: request.headers[.contentType],
                query: request.uri.queryParameters.map { (String($0.key), String($0.value)) },
                body: Data(body.readableBytesView)
            )
            state.withLock { $0.requests.append(name) }
            var answer: Answer
            switch faults.next(for: name) {
            case .answer(let status, let headers, let text):
                answer = Answer(status: status, body: Data(text.utf8), headers: headers)
            case .stallBeforeWork(let seconds):
                try await Task.sleep(for: .seconds(seconds))
                answer = .error(503, "InternalServerError", "stalled before doing any work")
            case .storeThenStall(let seconds):
                answer = limited() ?? handler(self, call)
                try await Task.sleep(for: .seconds(seconds))
            case nil:
                answer = limited() ?? handler(self, call)
            }
            return response(answer)
        }
    }

    /// Counts a request against the window; the 429 answer when it is used up.
    private func limited() -> Answer? {
        let now = now()
        return state.withLock { state in
            if now.timeIntervalSince(state.windowStart) >= rateLimit.window {
                state.windowStart = now
                state.windowCount = 0
            }
            state.windowCount += 1
            return state.windowCount > rateLimit.limit ? .error(429, "RateLimitExceeded", "Rate Limit Exceeded") : nil
        }
    }

    /// The HTTP response for `answer`, with the rate-limit headers (a fault's own headers win).
    private func response(_ answer: Answer) -> Response {
        let (start, count) = state.withLock { ($0.windowStart, $0.windowCount) }
        var fields: [String: String] = [
            "RateLimit-Limit": String(rateLimit.limit),
            "RateLimit-Remaining": String(max(rateLimit.limit - count, 0)),
            "RateLimit-Reset": String(Int(start.addingTimeInterval(rateLimit.window).timeIntervalSince1970)),
            "RateLimit-Policy": "\(rateLimit.limit);w=\(Int(rateLimit.window))",
            "Content-Type": "application/json; charset=utf-8",
        ]
        fields.merge(answer.headers) { _, fault in fault }
        var headers = HTTPFields()
        for (name, value) in fields {
            if let field = HTTPFields.Element.Name(name) { headers[field] = value }
        }
        return Response(
            status: HTTPResponse.Status(code: answer.status),
            headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body))
        )
    }
}
