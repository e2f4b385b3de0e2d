import Connectors

/// How a worker sends audience email: the transport and the sender's address.
///
/// `herald worker` and `herald serve` build it from `HERALD_SMTP_URL` (an `SMTPMailSender` over an `SMTPPool`) and
/// `HERALD_MAIL_FROM`, and hand it to the ``Worker``, which lends it to handlers through ``JobContext/mail``.
public struct AudienceMail: Sendable {
    /// The transport (the SMTP pool in production).
    public var sender: any MailSender
    /// The envelope and `From:` address (`HERALD_MAIL_FROM`).
    public var from: String
    /// The `From:` display name, if any.
    public var fromName: String?
    /// How many messages one `send_messages` job has in flight at once.
    public var concurrency: Int

    /// The environment variables that configure it, for error messages.
    public static let environment = "HERALD_SMTP_URL (smtp://user:pass@host:port or smtp+starttls://…) and HERALD_MAIL_FROM"

    public init(sender: any MailSender, from: String, fromName: String? = nil, concurrency: Int = 8) {
        self.sender = sender
        self.from = from
        self.fromName = fromName
        self.concurrency = max(1, concurrency)
    }
}
