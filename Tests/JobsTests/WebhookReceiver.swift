import Foundation
import HeraldTestSupport
import Synchronization

/// A webhook endpoint on 127.0.0.1 for tests: records every request and answers `status`.
final class WebhookReceiver: Sendable {
    private let status = Mutex<Int>(200)
    private let server: Mutex<StubHTTPServer?> = Mutex(nil)

    /// The requests received, in order.
    var requests: [StubRequest] { server.withLock { $0?.all ?? [] } }

    /// Makes later requests answer `status`.
    func answer(_ status: Int) { self.status.withLock { $0 = status } }

    /// Runs `body` with the receiver and the URL of its `/hooks/herald` endpoint, then stops it.
    static func with<T>(_ body: (WebhookReceiver, String) async throws -> T) async throws -> T {
        let receiver = WebhookReceiver()
        return try await StubHTTPServer.with({ _, _ in StubReply(status: receiver.status.withLock { $0 }, body: "{}") }) { server, base in
            receiver.server.withLock { $0 = server }
            return try await body(receiver, base + "/hooks/herald")
        }
    }
}
