import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// What the stub server answers to one request.
struct StubReply: Sendable {
    var status = 200
    var body: String
    var delay: TimeAmount = .zero

    /// A chat completion whose message content is `content`.
    static func completion(_ content: String, tokens: Int = 120) -> StubReply {
        let envelope: [String: Any] = [
            "id": "chatcmpl-test", "object": "chat.completion",
            "choices": [["index": 0, "message": ["role": "assistant", "content": content], "finish_reason": "stop"]],
            "usage": ["prompt_tokens": 100, "completion_tokens": tokens - 100, "total_tokens": tokens],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: envelope)) ?? Data()
        return StubReply(body: String(decoding: data, as: UTF8.self))
    }

    /// A completion whose content is `{"variants": [{"text": ...}, ...]}`.
    static func variants(_ texts: [String]) -> StubReply {
        let object = ["variants": texts.map { ["text": $0] }]
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
        return completion(String(decoding: data, as: UTF8.self))
    }
}

/// A request the stub server received.
struct StubRequest: Sendable {
    var path: String
    var authorization: String?
    var body: String
}

/// Answers one HTTP/1.1 request per call of `respond` (which sees the request number, from 0).
final class StubLLMHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let respond: @Sendable (Int, StubRequest) -> StubReply
    let counter: StubLLMServer.Log
    var head: HTTPRequestHead?
    var body = ""

    init(respond: @escaping @Sendable (Int, StubRequest) -> StubReply, counter: StubLLMServer.Log) {
        self.respond = respond
        self.counter = counter
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body = ""
        case .body(var buffer):
            body += buffer.readString(length: buffer.readableBytes) ?? ""
        case .end:
            let request = StubRequest(path: head?.uri ?? "", authorization: head?.headers.first(name: "Authorization"), body: body)
            let reply = respond(counter.record(request), request)
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: reply.delay) {
                let context = bound.value
                let bytes = ByteBuffer(string: reply.body)
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: "application/json")
                headers.add(name: "Content-Length", value: String(bytes.readableBytes))
                let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: reply.status), headers: headers)
                context.write(NIOAny(HTTPServerResponsePart.head(head)), promise: nil)
                context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(bytes))), promise: nil)
                context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)), promise: nil)
            }
        }
    }
}

/// An OpenAI-compatible chat completions endpoint on 127.0.0.1 for tests, answering from a closure.
enum StubLLMServer {
    /// The requests received, in order.
    final class Log: Sendable {
        private let requests = Mutex<[StubRequest]>([])

        /// Records a request and returns its number.
        func record(_ request: StubRequest) -> Int {
            requests.withLock {
                $0.append(request)
                return $0.count - 1
            }
        }

        var all: [StubRequest] { requests.withLock { $0 } }
    }

    /// Runs `body` with the URL of a server that answers with `respond`, then stops the server.
    static func with<T>(
        _ respond: @escaping @Sendable (Int, StubRequest) -> StubReply,
        _ body: (URL, Log) async throws -> T
    ) async throws -> T {
        let log = Log()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(StubLLMHandler(respond: respond, counter: log))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        guard let port = channel.localAddress?.port, let url = URL(string: "http://127.0.0.1:\(port)/v1") else {
            try await channel.close()
            throw StubServerError()
        }
        do {
            let result = try await body(url, log)
            try await channel.close()
            return result
        } catch {
            try? await channel.close()
            throw error
        }
    }

    struct StubServerError: Error {}
}
