import Channels

/// Sends one email and says what the server answered: the seam between the audience send job and a transport
/// (the SMTP pool in production and in tests, against a real SMTP server).
///
/// Throws ``ConnectorError``, classified as the delivery state machine expects: a 4xx reply or a lost connection
/// before the end of DATA is `transient`; a 5xx reply is `rejectedContent` (a hard bounce: the caller suppresses the
/// address); no answer after the end of DATA was sent is `unknownOutcome` (the message may have been accepted).
public protocol MailSender: Sendable {
    func send(_ message: MailMessage) async throws -> MailReceipt

    /// Sends `messages` with at most `concurrency` of them in flight at once, and says what became of each, in order.
    ///
    /// The default sends them one by one through ``send(_:)-(MailMessage)``, up to `concurrency` at once; a transport
    /// that can do better (``SMTPMailSender``: one pipelined chain per connection) does so.
    func send(_ messages: [MailMessage], concurrency: Int) async -> [Result<MailReceipt, MailSendFailure>]
}

/// Why one message of a batch (``MailSender/send(_:concurrency:)``) was not accepted.
public enum MailSendFailure: Error, Sendable, Equatable {
    /// The transport's answer, classified as ``MailSender/send(_:)-(MailMessage)`` throws it.
    case failed(ConnectorError)
    /// The send was stopped (cancelled) before this message was handed to the transport: nothing of it went out.
    case notSent
    /// The send was stopped while this message was with the transport: it may have been accepted.
    case interrupted
}

extension MailSender {
    public func send(_ messages: [MailMessage], concurrency: Int) async -> [Result<MailReceipt, MailSendFailure>] {
        await withTaskGroup(of: (Int, Result<MailReceipt, MailSendFailure>).self) { group in
            var results = [Result<MailReceipt, MailSendFailure>](repeating: .failure(.notSent), count: messages.count)
            var next = 0
            var stopped = false
            func start() {
                guard !stopped, !Task.isCancelled, next < messages.count else { return }
                let (index, message) = (next, messages[next])
                next += 1
                group.addTask {
                    do {
                        return (index, .success(try await send(message)))
                    } catch let error as ConnectorError {
                        return (index, .failure(.failed(error)))
                    } catch is CancellationError {
                        return (index, .failure(.interrupted))
                    } catch {
                        return (index, .failure(.failed(ConnectorError(.transient, "\(error)"))))
                    }
                }
            }
            for _ in 0..<max(1, concurrency) { start() }
            while let (index, result) = await group.next() {
                results[index] = result
                if case .failure(.interrupted) = result { stopped = true }
                start()
            }
            return results
        }
    }
}

/// The server's acceptance of a message.
public struct MailReceipt: Sendable, Equatable {
    /// The message's `Message-ID`.
    public var messageID: String
    /// The server's final reply to DATA (e.g. `250 2.0.0 Ok: queued as 4F1C2`).
    public var reply: String

    public init(messageID: String, reply: String) {
        self.messageID = messageID
        self.reply = reply
    }
}
