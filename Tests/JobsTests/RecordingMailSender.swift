import Channels
import Connectors
import Synchronization

/// A `MailSender` for tests of the send path that keeps every message it is given: the sends a real SMTP server would
/// receive, counted per recipient. Addresses in `bouncing` are refused with a 5xx (a hard bounce), those in `failing`
/// with a 4xx; `stopAfter` throws `CancellationError` once that many messages were taken (a worker killed mid-send).
///
/// Tests that need a real SMTP server on loopback (h-smtp's `SMTPTestServer`) replace it after the merge.
final class RecordingMailSender: MailSender {
    let sent = Mutex<[MailMessage]>([])
    let bouncing: Set<String>
    let failing: Set<String>
    let stopAfter: Int?
    /// Called for each message the server takes (e.g. to let a test's clock run while a send goes on).
    let onSend: (@Sendable () -> Void)?

    init(bouncing: Set<String> = [], failing: Set<String> = [], stopAfter: Int? = nil, onSend: (@Sendable () -> Void)? = nil) {
        self.bouncing = bouncing
        self.failing = failing
        self.stopAfter = stopAfter
        self.onSend = onSend
    }

    func send(_ message: MailMessage) async throws -> MailReceipt {
        if bouncing.contains(message.to) {
            throw ConnectorError(.rejectedContent, "550 5.1.1 <\(message.to)>: Recipient address rejected", status: 550)
        }
        if failing.contains(message.to) { throw ConnectorError(.transient, "451 4.3.0 try again later", status: 451) }
        let taken = sent.withLock { sent in
            sent.append(message)
            return sent.count
        }
        onSend?()
        // The server took it, but the worker dies before it hears the answer.
        if let stopAfter, taken >= stopAfter { throw CancellationError() }
        return MailReceipt(messageID: message.messageID, reply: "250 2.0.0 Ok: queued as \(taken)")
    }

    var messages: [MailMessage] { sent.withLock { $0 } }

    /// How many messages each address received.
    var perRecipient: [String: Int] { Dictionary(messages.map { ($0.to, 1) }, uniquingKeysWith: +) }
}
