import Channels
import Foundation
import Logging

/// Sends ``MailMessage``s over SMTP: written by ``MIMEWriter``, paced by the server's ``SMTPRateLimit``, carried by a
/// connection of the ``SMTPPool``; failures classified by ``SMTPOutcome``.
///
/// A batch (``send(_:concurrency:)``) is split into lanes, one per pooled connection, each sent as one pipelined chain
/// (``SMTPConnection/send(_:)``). A connection that was idle in the pool may have been closed by the server meanwhile;
/// a message that fails so before the end of its DATA was sent (nothing accepted) is tried once more on a fresh
/// connection.
public struct SMTPMailSender: MailSender {
    public let pool: SMTPPool
    let rateLimit: SMTPRateLimit<ContinuousClock>?
    let writer = MIMEWriter()
    let now: @Sendable () -> Date
    let logger: Logger

    /// - Parameters:
    ///   - pool: The connections to the server (and its configuration: the rate limit comes from it).
    ///   - now: The clock for the `Date:` header.
    public init(pool: SMTPPool, now: @escaping @Sendable () -> Date = { Date() }, logger: Logger) {
        self.pool = pool
        self.rateLimit = pool.configuration.messagesPerSecond.map { SMTPRateLimit(perSecond: $0, burst: pool.configuration.burst) }
        self.now = now
        self.logger = logger
    }

    /// Writes and sends `message`.
    ///
    /// - Throws: ``ConnectorError`` as ``MailSender`` describes.
    public func send(_ message: MailMessage) async throws -> MailReceipt {
        let bytes = writer.write(message, date: now())
        try await rateLimit?.acquire()
        do {
            let reply = try await sendOnce(bytes, message: message, retryStale: true)
            return accepted(message, reply: reply)
        } catch let error as SMTPError {
            throw refused(message, error: error)
        }
    }

    /// Writes and sends `messages` over up to `concurrency` pooled connections at once (at most
    /// ``SMTPConfiguration/connections``), each lane of messages as one pipelined chain on its connection; with a rate
    /// limit, each message waits for its slot before it is written, and a lane sends the messages whose slots are
    /// free at once as one chain.
    ///
    /// - Returns: One result per message, in order: its receipt, ``MailSendFailure/failed(_:)`` with the
    ///   ``ConnectorError`` ``send(_:)-(MailMessage)`` would throw, or ``MailSendFailure/notSent`` for a message not
    ///   handed to the server because the task was cancelled.
    public func send(_ messages: [MailMessage], concurrency: Int) async -> [Result<MailReceipt, MailSendFailure>] {
        guard !messages.isEmpty else { return [] }
        let lanes = min(max(1, concurrency), pool.configuration.connections, messages.count)
        if lanes == 1 { return await sendLane(messages[...]) }
        return await withTaskGroup(of: (Int, [Result<MailReceipt, MailSendFailure>]).self) { group in
            for lane in 0..<lanes {
                let slice = messages[(lane * messages.count / lanes)..<((lane + 1) * messages.count / lanes)]
                group.addTask { (lane, await sendLane(slice)) }
            }
            var byLane = [[Result<MailReceipt, MailSendFailure>]](repeating: [], count: lanes)
            for await (lane, results) in group { byLane[lane] = results }
            return byLane.flatMap { $0 }
        }
    }

    /// One lane of a batch: runs of messages, each run one chain on one pooled connection.
    func sendLane(_ messages: ArraySlice<MailMessage>) async -> [Result<MailReceipt, MailSendFailure>] {
        var results: [Result<MailReceipt, MailSendFailure>] = []
        results.reserveCapacity(messages.count)
        var start = messages.startIndex
        while start < messages.endIndex {
            var end = messages.endIndex
            if let rateLimit {
                do {
                    try await rateLimit.acquire()
                } catch {
                    break
                }
                end = start + 1
                while end < messages.endIndex, await rateLimit.tryAcquire() { end += 1 }
            }
            let run = messages[start..<end]
            let transactions = run.map { message in
                SMTPTransaction(from: message.from, to: message.to, message: writer.write(message, date: now()))
            }
            guard let replies = await sendRun(transactions, retryStale: true) else { break }
            for (message, reply) in zip(run, replies) {
                switch reply {
                case .success(let reply): results.append(.success(accepted(message, reply: reply)))
                case .failure(let error): results.append(.failure(.failed(refused(message, error: error))))
                }
            }
            start = end
        }
        // Stopped (cancelled) before the rest was handed to the server.
        while results.count < messages.count { results.append(.failure(.notSent)) }
        return results
    }

    /// Sends a run of transactions on one pooled connection; those lost with a connection before their end of DATA
    /// was sent go once more on another. Nil: cancelled while waiting for a connection (nothing was sent).
    func sendRun(_ transactions: [SMTPTransaction], retryStale: Bool) async -> [Result<SMTPReply, SMTPError>]? {
        var results: [Result<SMTPReply, SMTPError>]
        do {
            results = try await pool.withConnection { connection in
                let results = await connection.send(transactions)
                let broken = results.contains { result in
                    if case .failure(let error) = result { return !error.leavesConnectionUsable }
                    return false
                }
                // Closed now, so that the pool does not lend it again before it sees it closed.
                if broken { await connection.close() }
                return results
            }
        } catch let error as SMTPError {
            results = transactions.map { _ in .failure(error) }
        } catch {
            return nil
        }
        guard retryStale else { return results }
        let stale = results.indices.filter { index in
            guard case .failure(let error) = results[index], error.stage != .endOfData, error.stage != .connect,
                case .connectionLost = error.reason
            else { return false }
            return true
        }
        guard !stale.isEmpty, let retried = await sendRun(stale.map { transactions[$0] }, retryStale: false) else { return results }
        for (index, result) in zip(stale, retried) { results[index] = result }
        return results
    }

    func sendOnce(_ bytes: [UInt8], message: MailMessage, retryStale: Bool) async throws -> SMTPReply {
        do {
            return try await pool.withConnection { connection in
                try await connection.send(bytes, from: message.from, to: message.to)
            }
        } catch let error as SMTPError where retryStale && error.stage != .endOfData && error.stage != .connect {
            if case .connectionLost = error.reason {
                return try await sendOnce(bytes, message: message, retryStale: false)
            }
            throw error
        }
    }

    /// The receipt of an accepted message, logged.
    func accepted(_ message: MailMessage, reply: SMTPReply) -> MailReceipt {
        logger.debug(
            "mail accepted",
            metadata: [
                "herald.mail.message_id": "\(message.messageID)", "herald.smtp.server": "\(pool.configuration.server.address)",
                "herald.smtp.reply": "\(reply)",
            ]
        )
        return MailReceipt(messageID: message.messageID, reply: reply.description)
    }

    /// The classified failure of a message the server did not accept, logged.
    func refused(_ message: MailMessage, error: SMTPError) -> ConnectorError {
        let classified = SMTPOutcome.connectorError(error)
        logger.info(
            "mail not accepted",
            metadata: [
                "herald.mail.message_id": "\(message.messageID)", "herald.smtp.server": "\(pool.configuration.server.address)",
                "herald.smtp.stage": "\(error.stage.rawValue)", "herald.delivery.class": "\(classified.kind.rawValue)",
                "herald.error": "\(error)",
            ]
        )
        return classified
    }
}
