import NIOCore

/// One command for ``SMTPClientHandler``: bytes to write (possibly none, for the greeting) and the promise of the
/// reply that answers them, with how long the server may take.
struct SMTPRequest: Sendable {
    var bytes: ByteBuffer?
    var reply: EventLoopPromise<SMTPReply>
    var timeout: TimeAmount
}

/// The SMTP client's protocol handler: splits the server's bytes into lines, lines into replies, and answers the
/// oldest waiting request with each reply, so commands can be pipelined (RFC 2920) by writing several requests
/// before the first reply.
///
/// A request not answered within its timeout fails with ``SMTPHandlerFailure/timeout`` and closes the connection (a
/// stuck server must not hold a worker); a closed connection fails every waiting request. The timeout runs from when
/// the request is the oldest waiting one (written, and every request before it answered): a pipelined command waits
/// behind the content of the message before it, which has a longer timeout of its own.
final class SMTPClientHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = SMTPRequest
    typealias OutboundOut = ByteBuffer

    /// Longer lines than this are not an SMTP server talking (RFC 5321 allows 512).
    static let maximumLineLength = 8_192

    private var waiting = CircularBuffer<(promise: EventLoopPromise<SMTPReply>, timeout: TimeAmount)>()
    /// When the oldest waiting request times out (set as it becomes the oldest).
    private var deadline: NIODeadline?
    /// One timer for the whole queue, due at or before ``deadline``: when it fires early (the request it was set for
    /// was answered) it is set again for the present deadline, so a pipeline of requests does not schedule and cancel
    /// a timer for each.
    private var timer: (task: Scheduled<Void>, due: NIODeadline)?
    private var buffer: ByteBuffer?
    private var parser = SMTPReplyParser()
    private var failure: SMTPHandlerFailure?
    /// The greeting, when it arrived before the request that waits for it was written (the server speaks first).
    private var greeting: SMTPReply?
    private var requested = false

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if let failure {
            request.reply.fail(failure)
            promise?.fail(failure)
            return
        }
        if !requested {
            requested = true
            if let greeting, request.bytes == nil {
                self.greeting = nil
                request.reply.succeed(greeting)
                promise?.succeed()
                return
            }
        }
        waiting.append((request.reply, request.timeout))
        if waiting.count == 1 { startDeadline(context: context) }
        if let bytes = request.bytes {
            context.write(wrapOutboundOut(bytes), promise: promise)
        } else {
            promise?.succeed()
        }
    }

    /// Kept for the timers, which close the connection.
    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if buffer == nil {
            buffer = incoming
        } else {
            buffer!.writeBuffer(&incoming)
        }
        while let newline = buffer!.readableBytesView.firstIndex(of: 10) {
            let length = newline - buffer!.readerIndex
            var line = buffer!.readString(length: length) ?? ""
            buffer!.moveReaderIndex(forwardBy: 1)
            if line.last == "\r" { line.removeLast() }
            do {
                if let reply = try parser.feed(line[...]) { answer(reply, context: context) }
            } catch {
                fail(.malformed(String(describing: error)), context: context)
                return
            }
        }
        if buffer!.readableBytes > Self.maximumLineLength {
            fail(.malformed("a line of more than \(Self.maximumLineLength) bytes"), context: context)
            return
        }
        if buffer!.readableBytes == 0 {
            buffer!.clear()
        } else if buffer!.readerIndex > 4_096 {
            buffer!.discardReadBytes()
        }
    }

    private func answer(_ reply: SMTPReply, context: ChannelHandlerContext) {
        if !requested && greeting == nil {
            greeting = reply
            return
        }
        guard let head = waiting.popFirst() else {
            // A reply nobody asked for (421 before closing, usually): the connection is finished.
            fail(.unexpected(reply), context: context)
            return
        }
        // The next request's deadline starts before the reply is handed on: whoever waits for it may write more.
        if waiting.isEmpty {
            deadline = nil
        } else {
            startDeadline(context: context)
        }
        head.promise.succeed(reply)
    }

    /// The oldest waiting request's deadline, from now; the timer is moved only when it would fire too late.
    private func startDeadline(context: ChannelHandlerContext) {
        guard let head = waiting.first else { return }
        let due = NIODeadline.now() + head.timeout
        deadline = due
        if let timer, timer.due <= due { return }
        schedule(at: due, context: context)
    }

    private func schedule(at due: NIODeadline, context: ChannelHandlerContext) {
        timer?.task.cancel()
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = (context.eventLoop.scheduleTask(deadline: due) { handler.value.timerFired() }, due)
    }

    private func stopTimer() {
        timer?.task.cancel()
        timer = nil
        deadline = nil
    }

    private func timerFired() {
        timer = nil
        guard let context, let deadline, !waiting.isEmpty else { return }
        if deadline <= NIODeadline.now() {
            fail(.timeout, context: context)
        } else {
            schedule(at: deadline, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(.closed("the server closed the connection"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(.closed(String(describing: error)), context: context)
    }

    private func fail(_ failure: SMTPHandlerFailure, context: ChannelHandlerContext) {
        failAll(failure)
        context.close(promise: nil)
    }

    private func failAll(_ failure: SMTPHandlerFailure) {
        if self.failure == nil { self.failure = failure }
        stopTimer()
        while let head = waiting.popFirst() {
            head.promise.fail(self.failure ?? failure)
        }
    }
}

/// Why ``SMTPClientHandler`` could not answer a request.
enum SMTPHandlerFailure: Error, Sendable, Equatable {
    case timeout
    case closed(String)
    case malformed(String)
    case unexpected(SMTPReply)
}
