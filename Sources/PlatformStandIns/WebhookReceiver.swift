import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// A real webhook receiver, as a workspace's endpoint (Slack, Zapier, n8n, its own service) should behave: it checks
/// Herald's signature (HMAC-SHA256 over `"<Herald-Timestamp>.<body>"`, `Herald-Signature: v1=<hex>`, computed here
/// independently of Herald's signer) and refuses a bad one with 401 or a timestamp older than five minutes; it keeps
/// the first delivery of each `Idempotency-Key` and answers a repeat with the same answer (so a retry is never a second
/// post); it answers `201 {"id": "<n>", "url": "<base>/posts/<n>"}`.
public final class WebhookReceiver: Sendable {
    /// A delivery it kept.
    public struct Delivery: Sendable, Equatable {
        public var id: String
        public var idempotencyKey: String
        public var body: String
        /// The parsed JSON body.
        public var type: String
        public var text: String?
        public var receivedAt: Date
    }

    private struct State {
        var deliveries: [Delivery] = []
        var byKey: [String: String] = [:]
        var requests = 0
        var refused = 0
    }

    private let state = Mutex(State())
    /// The shared secret (nil: signatures are not checked).
    public let secret: String?
    /// Faults for the route `"post"`.
    public let faults = StandInFaults()
    /// Whether pings (`{"type": "ping"}`) are kept as deliveries (no: they only answer 200).
    private let clock: @Sendable () -> Date

    public init(secret: String?, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.secret = secret
        self.clock = clock
    }

    /// The posts kept, in order (pings excluded).
    public var deliveries: [Delivery] { state.withLock { $0.deliveries } }
    /// Requests received, and requests refused (bad signature, stale timestamp).
    public var requests: Int { state.withLock { $0.requests } }
    public var refused: Int { state.withLock { $0.refused } }

    /// The receiver's routes: `POST /hook` (any path under `/hook`).
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("hook") { request, context in try await self.receive(request, context: context) }
        router.post("hook/**") { request, context in try await self.receive(request, context: context) }
        return router
    }

    func receive(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let buffer = try await request.body.collect(upTo: 16 << 20)
        let body = String(buffer: buffer)
        state.withLock { $0.requests += 1 }
        if let fault = faults.next(for: "post") {
            switch fault {
            case .answer(let status, let headers, let text):
                return Self.reply(status: status, headers: headers, body: text)
            case .stallBeforeWork(let seconds):
                try await Task.sleep(for: .seconds(seconds))
                return Self.reply(status: 503, body: #"{"error":"stalled"}"#)
            case .storeThenStall(let seconds):
                let answer = try keep(request, body: body)
                try await Task.sleep(for: .seconds(seconds))
                return answer
            }
        }
        return try keep(request, body: body)
    }

    private func keep(_ request: Request, body: String) throws -> Response {
        let headers = request.headers
        func header(_ name: String) -> String? { HTTPField.Name(name).flatMap { headers[$0] } }
        if let secret {
            guard let stamp = header("Herald-Timestamp"), let timestamp = Int(stamp), let signature = header("Herald-Signature") else {
                state.withLock { $0.refused += 1 }
                return Self.reply(status: 401, body: #"{"error":"missing Herald-Timestamp or Herald-Signature"}"#)
            }
            guard abs(clock().timeIntervalSince1970 - Double(timestamp)) <= 300 else {
                state.withLock { $0.refused += 1 }
                return Self.reply(status: 401, body: #"{"error":"stale Herald-Timestamp"}"#)
            }
            guard Self.valid(signature: signature, body: body, timestamp: stamp, secret: secret) else {
                state.withLock { $0.refused += 1 }
                return Self.reply(status: 401, body: #"{"error":"bad signature"}"#)
            }
        }
        let object = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
        let type = object?["type"] as? String ?? ""
        if type == "ping" { return Self.reply(status: 200, body: #"{"ok":true}"#) }
        guard let key = header("Idempotency-Key"), !key.isEmpty else {
            return Self.reply(status: 400, body: #"{"error":"Idempotency-Key is required"}"#)
        }
        let id: String = state.withLock { state in
            if let existing = state.byKey[key] { return existing }
            let id = String(state.deliveries.count + 1)
            state.byKey[key] = id
            state.deliveries.append(
                Delivery(id: id, idempotencyKey: key, body: body, type: type, text: object?["text"] as? String, receivedAt: clock())
            )
            return id
        }
        return Self.reply(status: 201, body: #"{"id":"\#(id)"}"#)
    }

    static func valid(signature: String, body: String, timestamp: String, secret: String) -> Bool {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).\(body)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        let expected = "v1=" + mac.map { String(format: "%02x", $0) }.joined()
        return expected.utf8.count == signature.utf8.count && zip(expected.utf8, signature.utf8).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    static func reply(status: Int, headers: [String: String] = [:], body: String) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        for (name, value) in headers { if let field = HTTPField.Name(name) { fields[field] = value } }
        return Response(status: HTTPResponse.Status(code: status), headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
