import Channels
import Foundation
import Logging

/// Sends text messages through Twilio's Messages API (see ``TwilioMessages`` for the wire format and the classes of
/// failure).
///
/// At most once: Twilio has no idempotency key, so when the request went out and no answer came the error is
/// `unknown_outcome` and the message must not be sent again blindly (a person can look the message up in Twilio's
/// console); a request that never reached Twilio (connection refused) is `transient` and is retried.
public struct TwilioSMSConnector: SMSSender {
    let http: PlatformHTTP
    let baseURL: String
    let accountSID: String
    let authToken: String
    let logger: Logger

    /// - Parameters:
    ///   - baseURL: `https://api.twilio.com`, or a stand-in's URL.
    ///   - accountSID: The account (`AC…`), also the basic-auth user.
    ///   - authToken: The basic-auth password; it never reaches a log.
    public init(http: PlatformHTTP, baseURL: String = "https://api.twilio.com", accountSID: String, authToken: String, logger: Logger) {
        self.http = http
        self.baseURL = baseURL
        self.accountSID = accountSID
        self.authToken = authToken
        self.logger = logger
    }

    public func send(_ message: SMSMessage) async throws -> SMSReceipt {
        let segments = SMSEncoding.of(message.body).measure(message.body).segments
        if message.body.count > TwilioMessages.maximumBodyLength {
            throw ConnectorError(
                .rejectedContent,
                "the text has \(message.body.count) characters; Twilio takes at most \(TwilioMessages.maximumBodyLength)"
            )
        }
        let request = TwilioMessages.request(message, baseURL: baseURL, accountSID: accountSID, authToken: authToken)
        let response = try await http.send(request)
        guard response.succeeded else {
            let error = TwilioMessages.classify(response)
            logger.info(
                "SMS not accepted",
                metadata: [
                    "herald.sms.segments": "\(segments)", "herald.delivery.class": "\(error.kind.rawValue)", "herald.error": "\(error.message)",
                ]
            )
            throw error
        }
        let receipt = try TwilioMessages.receipt(response, body: message.body)
        logger.debug("SMS accepted", metadata: ["herald.sms.id": "\(receipt.id)", "herald.sms.segments": "\(receipt.segments)"])
        return receipt
    }
}
