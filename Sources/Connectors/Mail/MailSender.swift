import Channels

/// Sends one email and says what the server answered: the seam between the audience send job and a transport
/// (the SMTP pool in production and in tests, against a real SMTP server).
///
/// Throws ``ConnectorError``, classified as the delivery state machine expects: a 4xx reply or a lost connection
/// before the end of DATA is `transient`; a 5xx reply is `rejectedContent` (a hard bounce: the caller suppresses the
/// address); no answer after the end of DATA was sent is `unknownOutcome` (the message may have been accepted).
public protocol MailSender: Sendable {
    func send(_ message: MailMessage) async throws -> MailReceipt
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
