import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A request a stub server received.
public struct StubRequest: Sendable {
    public var method: String
    public var path: String
    /// Header values by lowercased name.
    public var headers: [String: String]
    public var body: String

    /// The `Authorization` header.
    public var authorization: String? { headers["authorization"] }
}

/// What a stub server answers to one request.
public struct StubReply: Sendable {
    public var status: Int
    public var body: String
    public var delay: TimeAmount

    public init(status: Int = 200, body: String, delay: TimeAmount = .zero) {
        self.status = status
        self.body = body
        self.delay = delay
    }
}

/// An HTTP/1.1 server on 127.0.0.1 for tests of Herald's outgoing calls (LLM endpoints, webhooks):
/// records every request and answers each from a closure that sees the request's number (from 0).
public final class StubHTTPServer: Sendable {
    private let requests = Mutex<[StubRequest]>([])
    private let respond: @Sendable (Int, StubRequest) -> StubReply

    init(respond: @escaping @Sendable (Int, StubRequest) -> StubReply) {
        self.respond = respond
    }

    /// The requests received, in order.
    public var all: [StubRequest] { requests.withLock { $0 } }

    func answer(_ request: StubRequest) -> StubReply {
        let number = requests.withLock {
            $0.append(request)
            return $0.count - 1
        }
        return respond(number, request)
    }

    /// Runs `body` with the server and its base URL (`http://127.0.0.1:<port>`), then stops it.
    public static func with<T>(
        _ respond: @escaping @Sendable (Int, StubRequest) -> StubReply,
        _ body: (StubHTTPServer, String) async throws -> T
    ) async throws -> T {
        let server = StubHTTPServer(respond: respond)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(StubHTTPHandler(server: server))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        do {
            let result = try await body(server, "http://127.0.0.1:\(port)")
            try await channel.close()
            return result
        } catch {
            try? await channel.close()
            throw error
        }
    }
}

/// Reads one request at a time and writes the server's reply after its delay.
final class StubHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let server: StubHTTPServer
    var head: HTTPRequestHead?
    var body = ""

    init(server: StubHTTPServer) {
        self.server = server
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
            let request = StubRequest(method: "\(head?.method ?? .GET)", path: head?.uri ?? "", headers: headers, body: body)
            let reply = server.answer(request)
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
