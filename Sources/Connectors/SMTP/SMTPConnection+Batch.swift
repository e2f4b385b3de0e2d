import NIOCore

extension SMTPConnection {
    /// Sends `transactions` one after the other over this connection and says what became of each, in order: the
    /// server's reply to its final `.` (2xx), or the ``SMTPError`` at the stage it failed (``SMTPOutcome`` says what
    /// that means).
    ///
    /// With PIPELINING (RFC 2920) offered and ``SMTPConfiguration/pipelining`` on, the batch runs as one chain on the
    /// connection's event loop with one round trip per message: after the 354 for message k, its content and final
    /// `.` go in one write with MAIL FROM, RCPT TO and DATA of message k + 1 (content may open a group of commands and
    /// DATA close it). Otherwise each command waits for its reply, as RFC 5321 alone allows.
    ///
    /// A refused MAIL FROM, RCPT TO or DATA fails only its message: a DATA accepted all the same is ended with an empty
    /// `.` (RFC 2920 §3.1), the transaction is reset (RSET) and the next message goes on. A connection that is lost or
    /// silent fails the message in flight at its stage (after its final `.` was sent: ``SMTPError/Stage/endOfData``,
    /// an unknown outcome; before: a transient failure) and every message not yet started with
    /// ``SMTPError/Reason/connectionLost``, so that the caller can send those again on another connection.
    public func send(_ transactions: [SMTPTransaction]) async -> [Result<SMTPReply, SMTPError>] {
        guard !transactions.isEmpty else { return [] }
        if configuration.pipelining && capabilities.pipelining {
            let batch = channel.eventLoop.flatSubmit {
                SMTPPipelinedBatch(connection: self, transactions: transactions).start()
            }
            do {
                return try await batch.get()
            } catch {
                // The event loop shut down before the chain could start: nothing was sent.
                let lost = SMTPError(.mailFrom, .connectionLost("\(error)"), server: server)
                return transactions.map { _ in .failure(lost) }
            }
        }
        var results: [Result<SMTPReply, SMTPError>] = []
        results.reserveCapacity(transactions.count)
        for transaction in transactions {
            if case .failure(let previous)? = results.last, !previous.leavesConnectionUsable {
                results.append(.failure(notStarted(after: previous)))
                continue
            }
            do {
                results.append(.success(try await sendOneByOne(transaction)))
            } catch let error as SMTPError {
                results.append(.failure(error))
            } catch {
                results.append(.failure(SMTPError(.mailFrom, .connectionLost("\(error)"), server: server)))
            }
        }
        return results
    }

    /// MAIL FROM, RCPT TO and DATA each waiting for its reply, then the content and the final `.`; RSET after a refusal.
    func sendOneByOne(_ transaction: SMTPTransaction) async throws -> SMTPReply {
        for (command, stage, expected) in Self.envelope(from: transaction.from, to: transaction.to) {
            let reply = try await self.command(command, stage: stage)
            if !Self.accepts(reply, expected: expected) {
                try await reset()
                throw SMTPError(stage, .reply(reply), server: server)
            }
        }
        let reply = try await request(transaction.content, stage: .endOfData, timeout: configuration.dataTimeout)
        guard reply.isCompletion else {
            throw SMTPError(.endOfData, .reply(reply), server: server)
        }
        return reply
    }

    /// Whether `reply` is the one a command of the envelope expects (any 2xx where 250 is expected).
    static func accepts(_ reply: SMTPReply, expected: Int) -> Bool {
        reply.code == expected || (expected == 250 && reply.isCompletion)
    }

    /// The failure of a message that was not started because the connection failed with `error` before its turn:
    /// nothing of it was sent, so another connection may carry it.
    func notStarted(after error: SMTPError) -> SMTPError {
        SMTPError(.mailFrom, .connectionLost("not sent: the connection failed before this message's turn (\(error))"), server: server)
    }
}

/// A pipelined batch (RFC 2920) as one chain on the connection's event loop (see ``SMTPConnection/send(_:)``).
///
/// Each round writes one group of requests and waits for all of their replies: the end of the previous message (its
/// content and `.`, or an empty `.` and RSET after a refusal) followed by MAIL FROM, RCPT TO and DATA of the next.
/// Only used on the event loop, which is what makes its mutable state safe.
final class SMTPPipelinedBatch {
    /// One request of a group and the message it belongs to.
    enum Step {
        case end(Int)
        case emptyEnd(Int)
        case reset(Int)
        case mailFrom(Int)
        case rcptTo(Int)
        case data(Int)
    }

    let connection: SMTPConnection
    let transactions: [SMTPTransaction]
    var results: [Result<SMTPReply, SMTPError>?]
    let done: EventLoopPromise<[Result<SMTPReply, SMTPError>]>
    /// The replies of the group in flight, by position, and how many are still awaited.
    var replies: [Result<SMTPReply, any Error>?] = []
    var pending = 0

    init(connection: SMTPConnection, transactions: [SMTPTransaction]) {
        self.connection = connection
        self.transactions = transactions
        self.results = Array(repeating: nil, count: transactions.count)
        self.done = connection.channel.eventLoop.makePromise()
    }

    var eventLoop: any EventLoop { connection.channel.eventLoop }

    func start() -> EventLoopFuture<[Result<SMTPReply, SMTPError>]> {
        write(envelope(of: 0))
        return done.futureResult
    }

    func envelope(of index: Int) -> [Step] {
        [.mailFrom(index), .rcptTo(index), .data(index)]
    }

    /// Writes the requests of a group in one flush; ``handle(_:)`` runs once every one of them has its reply.
    func write(_ group: [Step]) {
        eventLoop.preconditionInEventLoop()
        replies = Array(repeating: nil, count: group.count)
        pending = group.count
        for (position, step) in group.enumerated() {
            let future: EventLoopFuture<SMTPReply>
            let timeout = connection.configuration.commandTimeout
            switch step {
            case .end(let index):
                future = connection.write(transactions[index].content, timeout: connection.configuration.dataTimeout)
            case .emptyEnd:
                future = connection.write(".", timeout: timeout)
            case .reset:
                future = connection.write("RSET", timeout: timeout)
            case .mailFrom(let index):
                future = connection.write("MAIL FROM:<\(transactions[index].from)>", timeout: timeout)
            case .rcptTo(let index):
                future = connection.write("RCPT TO:<\(transactions[index].to)>", timeout: timeout)
            case .data:
                future = connection.write("DATA", timeout: timeout)
            }
            future.assumeIsolated().whenComplete { result in
                self.replies[position] = result
                self.pending -= 1
                if self.pending == 0 { self.handle(group) }
            }
        }
        connection.channel.flush()
    }

    /// Takes a group's replies: settles the messages they end, then writes the next group or finishes.
    func handle(_ group: [Step]) {
        let replies = self.replies.map { $0! }
        var usable = true
        var envelope: (index: Int, failure: SMTPError?, dataAccepted: Bool)?
        for (step, reply) in zip(group, replies) {
            if case .failure = reply { usable = false }
            switch step {
            case .end(let index):
                results[index] = Self.end(reply, connection: connection)
            case .emptyEnd, .reset:
                // The message's own failure is already recorded; a failure here shows in the replies that follow.
                break
            case .mailFrom(let index), .rcptTo(let index), .data(let index):
                var current = envelope ?? (index, nil, false)
                let (stage, expected) = Self.stage(of: step)
                switch reply {
                case .failure(let error):
                    if current.failure == nil { current.failure = connection.failed(error, stage: stage) }
                case .success(let reply):
                    if stage == .data && reply.code == 354 { current.dataAccepted = true }
                    if current.failure == nil && !SMTPConnection.accepts(reply, expected: expected) {
                        current.failure = SMTPError(stage, .reply(reply), server: connection.server)
                    }
                }
                envelope = current
            }
        }
        guard let envelope else {
            finish()
            return
        }
        let next = envelope.index + 1 < transactions.count ? self.envelope(of: envelope.index + 1) : []
        guard usable else {
            let failure = envelope.failure ?? SMTPError(.data, .connectionLost("the transaction ended without a reply"), server: connection.server)
            results[envelope.index] = .failure(failure)
            for index in (envelope.index + 1)..<transactions.count {
                results[index] = .failure(connection.notStarted(after: failure))
            }
            finish()
            return
        }
        if let failure = envelope.failure {
            results[envelope.index] = .failure(failure)
            // RFC 2920 §3.1: DATA was accepted although a command before it failed; end it with no content.
            write((envelope.dataAccepted ? [.emptyEnd(envelope.index)] : []) + [.reset(envelope.index)] + next)
        } else {
            write([.end(envelope.index)] + next)
        }
    }

    func finish() {
        done.succeed(
            results.map { result in
                result ?? .failure(SMTPError(.endOfData, .malformed("the transaction ended without a reply"), server: connection.server))
            }
        )
    }

    static func stage(of step: Step) -> (SMTPError.Stage, Int) {
        switch step {
        case .mailFrom: (.mailFrom, 250)
        case .rcptTo: (.rcptTo, 250)
        case .data: (.data, 354)
        case .end, .emptyEnd: (.endOfData, 250)
        case .reset: (.reset, 250)
        }
    }

    /// What the reply to a message's final `.` means for it.
    static func end(_ reply: Result<SMTPReply, any Error>, connection: SMTPConnection) -> Result<SMTPReply, SMTPError> {
        switch reply {
        case .success(let reply) where reply.isCompletion: .success(reply)
        case .success(let reply): .failure(SMTPError(.endOfData, .reply(reply), server: connection.server))
        case .failure(let error): .failure(connection.failed(error, stage: .endOfData))
        }
    }
}
