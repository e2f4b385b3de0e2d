import Channels
import Foundation
import Logging

/// Sends ``MailMessage``s over SMTP: written by ``MIMEWriter``, paced by the server's ``SMTPRateLimit``, carried by a
/// connection of the ``SMTPPool``; failures classified by ``SMTPOutcome``.
///
/// A connection that was idle in the pool may have been closed by the server meanwhile; when it fails before the end
/// of DATA (nothing accepted), the message is tried once more on a fresh connection.
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
            logger.debug(
                "mail accepted",
                metadata: [
                    "herald.mail.message_id": "\(message.messageID)", "herald.smtp.server": "\(pool.configuration.server.address)",
                    "herald.smtp.reply": "\(reply)",
                ]
            )
            return MailReceipt(messageID: message.messageID, reply: reply.description)
        } catch let error as SMTPError {
            let classified = SMTPOutcome.connectorError(error)
            logger.info(
                "mail not accepted",
                metadata: [
                    "herald.mail.message_id": "\(message.messageID)", "herald.smtp.server": "\(pool.configuration.server.address)",
                    "herald.smtp.stage": "\(error.stage.rawValue)", "herald.delivery.class": "\(classified.kind.rawValue)",
                    "herald.error": "\(error)",
                ]
            )
            throw classified
        }
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
}
