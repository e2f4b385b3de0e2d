import Channels
import Foundation

/// The pure half of Twilio's Programmable Messaging API (twilio.com/docs/messaging/api/message-resource):
/// `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` with a form-encoded `To`, `From` and `Body`, HTTP basic auth
/// `AccountSid:AuthToken`; `201 Created` with the Message resource as JSON (`sid`, `status`, `num_segments`, ...);
/// errors as `{"code": 21211, "message": "...", "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}`.
///
/// Classes of failure:
/// - 429 (code 20429, "Too Many Requests"): rate_limited (Twilio sends no reset time; the caller backs off);
/// - 5xx: transient;
/// - 401 (20003 "Authenticate"), 403, and 404 (20404: no such account): auth (the credentials or account id are wrong);
/// - 400 and other 4xx (21211 invalid `To`, 21610 recipient replied STOP, 21602 empty body, 21617 body too long, ...):
///   rejected_content, with Twilio's code and message.
public enum TwilioMessages {
    /// Twilio refuses bodies longer than 1,600 characters (error 21617).
    public static let maximumBodyLength = 1_600

    /// The request that sends `message`.
    public static func request(_ message: SMSMessage, baseURL: String, accountSID: String, authToken: String) -> PlatformRequest {
        let fields = [("To", message.to), ("From", message.from), ("Body", message.body)]
        let body = fields.map { "\(formEncode($0.0))=\(formEncode($0.1))" }.joined(separator: "&")
        let credentials = Data("\(accountSID):\(authToken)".utf8).base64EncodedString()
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        return PlatformRequest(
            method: "POST",
            url: "\(base)/2010-04-01/Accounts/\(formEncode(accountSID))/Messages.json",
            headers: [
                ("Authorization", "Basic \(credentials)"), ("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json"),
            ],
            body: Data(body.utf8),
            // Twilio takes no idempotency key: a second POST is a second text message.
            idempotent: false
        )
    }

    /// The Message resource, as much of it as Herald reads.
    public struct Message: Sendable, Decodable, Equatable {
        public var sid: String
        public var status: String
        public var to: String?
        public var from: String?
        /// Twilio sends the count as a string (`"2"`).
        public var numSegments: String?
        public var errorCode: Int?
        public var errorMessage: String?

        enum CodingKeys: String, CodingKey {
            case sid, status, to, from
            case numSegments = "num_segments"
            case errorCode = "error_code"
            case errorMessage = "error_message"
        }
    }

    /// Twilio's error body.
    public struct ErrorBody: Sendable, Decodable, Equatable {
        public var code: Int?
        public var message: String?
        public var moreInfo: String?
        public var status: Int?

        enum CodingKeys: String, CodingKey {
            case code, message, status
            case moreInfo = "more_info"
        }
    }

    /// The receipt in a 2xx answer; segments from Twilio's `num_segments`, else counted as a phone would.
    public static func receipt(_ response: PlatformResponse, body: String) throws -> SMSReceipt {
        guard let message = try? response.decode(Message.self) else {
            throw ConnectorError(
                .unknownOutcome,
                "Twilio answered \(response.status) without a Message resource: \(response.text(limit: 200))",
                status: response.status
            )
        }
        let counted = SMSEncoding.of(body).measure(body).segments
        return SMSReceipt(id: message.sid, status: message.status, segments: message.numSegments.flatMap { Int($0) } ?? counted)
    }

    /// What a failed answer means.
    public static func classify(_ response: PlatformResponse) -> ConnectorError {
        let error = try? response.decode(ErrorBody.self)
        var message = error?.message ?? response.text(limit: 300)
        if message.isEmpty { message = "HTTP \(response.status)" }
        if let code = error?.code { message = "Twilio error \(code): \(message)" }
        switch response.status {
        case 429: return ConnectorError(.rateLimited, message, status: 429)
        case 500...599: return ConnectorError(.transient, message, status: response.status)
        case 401, 403, 404: return ConnectorError(.auth, message, status: response.status)
        case 400...499: return ConnectorError(.rejectedContent, message, status: response.status)
        default: return ConnectorError(.transient, "unexpected answer from Twilio: \(message)", status: response.status)
        }
    }

    /// What a refusal says about its recipient, from the Twilio error code that ``classify(_:)`` puts in the message.
    public enum RecipientRefusal: Sendable, Equatable {
        /// The number cannot receive text messages (21211 invalid `To`, 21614 not a mobile number, 21612 cannot be
        /// routed to): suppressed like an email bounce.
        case invalidNumber
        /// The recipient replied STOP to this sender (21610): unsubscribed.
        case unsubscribed
    }

    /// The Twilio error codes about the number itself.
    static let invalidNumberCodes: Set<Int> = [21211, 21612, 21614]

    /// The refusal's meaning for the recipient, nil when it is about the message (an empty or too long body, a sender
    /// the account does not own) or not a refusal at all.
    public static func recipientRefusal(_ error: ConnectorError) -> RecipientRefusal? {
        guard error.kind == .rejectedContent, let code = errorCode(error) else { return nil }
        if code == 21610 { return .unsubscribed }
        return invalidNumberCodes.contains(code) ? .invalidNumber : nil
    }

    /// The Twilio error code of an error ``classify(_:)`` made (`Twilio error 21211: …`), nil otherwise.
    public static func errorCode(_ error: ConnectorError) -> Int? {
        let prefix = "Twilio error "
        guard error.message.hasPrefix(prefix) else { return nil }
        return Int(error.message.dropFirst(prefix.count).prefix { $0.isNumber })
    }

    /// `application/x-www-form-urlencoded` encoding of one name or value (`+` in a phone number becomes `%2B`).
    static func formEncode(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
