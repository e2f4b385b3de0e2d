/// One text message to one phone, fully decided before it reaches a gateway.
public struct SMSMessage: Sendable, Equatable {
    /// The recipient, E.164 (`+15558675310`).
    public var to: String
    /// The sender: an E.164 number, a short code or an alphanumeric sender id the gateway account owns.
    public var from: String
    public var body: String

    public init(to: String, from: String, body: String) {
        self.to = to
        self.from = from
        self.body = body
    }
}

/// The gateway's acceptance of a text message.
public struct SMSReceipt: Sendable, Equatable {
    /// The gateway's id for the message (Twilio: `SM…`).
    public var id: String
    /// The gateway's status at acceptance (`queued`, `accepted`, `sent`).
    public var status: String
    /// Segments billed, as Herald counts them (``SMSEncoding``) unless the gateway says otherwise.
    public var segments: Int

    public init(id: String, status: String, segments: Int) {
        self.id = id
        self.status = status
        self.segments = segments
    }
}

/// Sends one text message through an HTTP gateway: the seam between the audience send job and a gateway.
///
/// Throws ``ConnectorError`` classified as ``MailSender`` does. SMS gateways take no idempotency key, so an
/// `unknown_outcome` (no answer after the request went out) must not be retried blindly: SMS is at most once.
public protocol SMSSender: Sendable {
    func send(_ message: SMSMessage) async throws -> SMSReceipt
}
