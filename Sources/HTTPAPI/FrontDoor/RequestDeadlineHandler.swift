import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1

/// Closes connections whose client is too slow to send a request: a new connection must send its first request's head
/// within the header-read timeout, and every request's body must arrive within the body-read timeout of its head.
///
/// Sits right after NIO's HTTP/1 decoder (see ``HeraldHTTP1Channel``), so it sees each request's head, body parts and
/// end as they are decoded. A connection that never completes its first head (half-open, or trickling header bytes) is
/// closed. A body still unfinished at its deadline ends in `408` (the route reading it gets `HTTPError(.requestTimeout)`,
/// answered in the API's error shape) and the connection is closed after that answer (however long the route takes
/// to give it, e.g. while it authenticates on a busy database). Time the server itself is not reading (its buffer of
/// the request is full: back pressure) does not count against the client. Between requests on a kept-alive connection, Hummingbird's idle timeout applies.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    let headerReadTimeout: TimeAmount
    let bodyReadTimeout: TimeAmount
    let metrics: ServiceMetrics
    let logger: Logger

    /// Requests whose head was read and whose answer has not ended.
    private var requestsOpen = 0
    /// A request's head was read and its end not yet.
    private var readingBody = false
    /// A request head was ever read on this connection.
    private var sawHead = false
    /// The server asked for more bytes and none came since: while this is false, the server is not reading (back
    /// pressure) and a slow body is not the client's fault.
    private var waitingForClient = true
    /// The body deadline passed: close once the answer ends.
    private var closeAfterAnswer = false
    private var timer: Scheduled<Void>?

    init(headerReadTimeout: Duration, bodyReadTimeout: Duration, metrics: ServiceMetrics, logger: Logger) {
        self.headerReadTimeout = TimeAmount(headerReadTimeout)
        self.bodyReadTimeout = TimeAmount(bodyReadTimeout)
        self.metrics = metrics
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // Added while the child channel is set up: the header deadline counts from the connection's acceptance.
        schedule(context, in: headerReadTimeout) { handler, context in handler.headerDeadlinePassed(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        waitingForClient = false
        switch unwrapInboundIn(data) {
        case .head:
            sawHead = true
            readingBody = true
            requestsOpen += 1
            cancelTimer()
            schedule(context, in: bodyReadTimeout) { handler, context in handler.bodyDeadlinePassed(context) }
        case .body:
            break
        case .end:
            readingBody = false
            cancelTimer()
        }
        context.fireChannelRead(data)
    }

    func read(context: ChannelHandlerContext) {
        waitingForClient = true
        context.read()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .end = unwrapOutboundIn(data) else {
            context.write(data, promise: promise)
            return
        }
        requestsOpen = max(0, requestsOpen - 1)
        guard closeAfterAnswer, requestsOpen == 0 else {
            context.write(data, promise: promise)
            return
        }
        context.writeAndFlush(data, promise: promise)
        context.close(promise: nil)
    }

    private func headerDeadlinePassed(_ context: ChannelHandlerContext) {
        guard !sawHead else { return }
        metrics.recordConnectionTimedOut(phase: "header")
        logger.debug(
            "closing a connection that sent no request head in time",
            metadata: ["herald.client.peer": "\(context.channel.remoteAddress?.ipAddress ?? "")"]
        )
        context.close(promise: nil)
    }

    private func bodyDeadlinePassed(_ context: ChannelHandlerContext) {
        guard readingBody else { return }
        guard waitingForClient else {
            // The server has not asked for more of the body (its buffer is full): give the client a fresh window.
            schedule(context, in: bodyReadTimeout) { handler, context in handler.bodyDeadlinePassed(context) }
            return
        }
        readingBody = false
        closeAfterAnswer = true
        metrics.recordConnectionTimedOut(phase: "body")
        logger.debug(
            "a request body did not arrive in time",
            metadata: ["herald.client.peer": "\(context.channel.remoteAddress?.ipAddress ?? "")"]
        )
        let seconds = bodyReadTimeout.nanoseconds / 1_000_000_000
        // The route reading the body gets the error and answers 408; Hummingbird then closes the connection (its request
        // stream ended in an error), as does ``write(context:data:promise:)`` once the answer ends.
        context.fireErrorCaught(HTTPError(.requestTimeout, message: "the request body did not arrive within \(seconds) s"))
    }

    private func schedule(
        _ context: ChannelHandlerContext,
        in delay: TimeAmount,
        _ action: @escaping (RequestDeadlineHandler, ChannelHandlerContext) -> Void
    ) {
        cancelTimer()
        let bound = NIOLoopBound((self, context, action), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: delay) {
            let (handler, context, action) = bound.value
            handler.timer = nil
            action(handler, context)
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }
}

@available(*, unavailable)
extension RequestDeadlineHandler: Sendable {}
