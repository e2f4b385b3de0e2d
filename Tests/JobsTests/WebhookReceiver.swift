import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A request the webhook receiver got.
struct ReceivedWebhook: Sendable {
    var method: String
    var path: String
    var headers: [String: String]
    var body: String
}

/// Answers one HTTP/1.1 request per call with the receiver's status, recording what it got.
final class WebhookReceiverHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let receiver: WebhookReceiver
    var head: HTTPRequestHead?
    var body = ""

    init(receiver: WebhookReceiver) {
        self.receiver = receiver
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body = ""
        case .body(var buffer):
            body += buffer.readString(length: buffer.readableBytes) ?? ""
        case .end:
            var headers: [String: String] = [:]
            for (name, value) in head?.headers ?? [:] { headers[name.lowercased()] = value }
            let status = receiver.record(ReceivedWebhook(method: "\(head?.method ?? .GET)", path: head?.uri ?? "", headers: headers, body: body))
            let bytes = ByteBuffer(string: "{}")
            var responseHeaders = HTTPHeaders()
            responseHeaders.add(name: "Content-Type", value: "application/json")
            responseHeaders.add(name: "Content-Length", value: String(bytes.readableBytes))
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: responseHeaders))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(bytes))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}

/// A webhook endpoint on 127.0.0.1 for tests: records every request and answers `status`.
final class WebhookReceiver: Sendable {
    private let state = Mutex<(requests: [ReceivedWebhook], status: Int)>(([], 200))

    /// Records a request and returns the status to answer.
    func record(_ request: ReceivedWebhook) -> Int {
        state.withLock {
            $0.requests.append(request)
            return $0.status
        }
    }

    var requests: [ReceivedWebhook] { state.withLock { $0.requests } }

    /// Makes later requests answer `status`.
    func answer(_ status: Int) { state.withLock { $0.status = status } }

    /// Runs `body` with the receiver and the URL of its `/hooks/herald` endpoint, then stops it.
    static func with<T>(_ body: (WebhookReceiver, String) async throws -> T) async throws -> T {
        let receiver = WebhookReceiver()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(WebhookReceiverHandler(receiver: receiver))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        do {
            let result = try await body(receiver, "http://127.0.0.1:\(port)/hooks/herald")
            try await channel.close()
            return result
        } catch {
            try? await channel.close()
            throw error
        }
    }
}
