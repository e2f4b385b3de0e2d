import Foundation

/// One email to one recipient, fully decided before it reaches a transport: who it is from and to, the subject,
/// the plain-text and HTML bodies (tracked links and the open pixel already in them), the `Message-ID` (derived from
/// the message's idempotency key, so a retry carries the same one) and the extra headers (`List-Unsubscribe`,
/// `List-Unsubscribe-Post`, ...). Turning it into MIME is the MIME writer's work; sending it is a ``MailSender``'s.
public struct MailMessage: Sendable, Equatable {
    /// The envelope and `From:` sender, an address (`news@example.com`) with an optional display name.
    public var from: String
    public var fromName: String?
    /// The envelope recipient and `To:`, one normalised address.
    public var to: String
    public var subject: String
    /// Shown by mail clients after the subject; rendered as hidden text at the top of the HTML body.
    public var preheader: String?
    public var text: String
    /// nil: a text-only message.
    public var html: String?
    /// `<...@domain>` including the angle brackets.
    public var messageID: String
    /// Further headers in order (name, value), e.g. `List-Unsubscribe`.
    public var headers: [(name: String, value: String)]

    public init(
        from: String,
        fromName: String? = nil,
        to: String,
        subject: String,
        preheader: String? = nil,
        text: String,
        html: String? = nil,
        messageID: String,
        headers: [(name: String, value: String)] = []
    ) {
        self.from = from
        self.fromName = fromName
        self.to = to
        self.subject = subject
        self.preheader = preheader
        self.text = text
        self.html = html
        self.messageID = messageID
        self.headers = headers
    }

    public static func == (lhs: MailMessage, rhs: MailMessage) -> Bool {
        lhs.from == rhs.from && lhs.fromName == rhs.fromName && lhs.to == rhs.to && lhs.subject == rhs.subject
            && lhs.preheader == rhs.preheader && lhs.text == rhs.text && lhs.html == rhs.html
            && lhs.messageID == rhs.messageID && lhs.headers.map(\.name) == rhs.headers.map(\.name)
            && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }
}
