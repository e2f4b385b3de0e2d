import Connectors

/// How a worker sends audience text messages: the gateway and the sender's number.
///
/// `herald worker` and `herald serve` build it from `HERALD_SMS_URL`, `HERALD_SMS_ACCOUNT`, `HERALD_SMS_TOKEN` (a
/// ``TwilioSMSConnector``) and `HERALD_SMS_FROM`, and hand it to the ``Worker``, which lends it to handlers through
/// ``JobContext/sms``.
public struct AudienceSMS: Sendable {
    /// The gateway (Twilio's Messages API, or a stand-in).
    public var sender: any SMSSender
    /// The sender: an E.164 number, short code or alphanumeric id the gateway account owns (`HERALD_SMS_FROM`).
    public var from: String
    /// How many messages one `send_messages` job has in flight at once.
    public var concurrency: Int

    /// The environment variables that configure it, for error messages.
    public static let environment =
        "HERALD_SMS_URL (the gateway, e.g. https://api.twilio.com), HERALD_SMS_ACCOUNT, HERALD_SMS_TOKEN and HERALD_SMS_FROM"

    public init(sender: any SMSSender, from: String, concurrency: Int = 4) {
        self.sender = sender
        self.from = from
        self.concurrency = max(1, concurrency)
    }
}
