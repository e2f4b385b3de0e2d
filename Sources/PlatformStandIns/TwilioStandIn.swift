import Channels
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// A local stand-in for Twilio's Programmable Messaging API with one account, for tests, benchmarks and rehearsals
/// (this machine cannot reach Twilio). It serves what Herald's SMS connector uses, as Twilio documents it
/// (twilio.com/docs/messaging/api/message-resource, twilio.com/docs/usage/twilios-response):
///
/// - `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`: HTTP basic auth `AccountSid:AuthToken`; form fields `To`,
///   `From` (or `MessagingServiceSid`), `Body`; `201 Created` with the Message resource (`sid` `SM…`, `status: "queued"`,
///   `num_segments` as a string, `date_created` in RFC 2822 form, `error_code: null`, ...).
/// - `GET /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json`: the stored message, or 404 (code 20404).
/// - Errors are `{"code", "message", "more_info", "status"}`: 401 code 20003 "Authenticate" for a wrong account or
///   token; 400 code 21211 "The 'To' number … is not a valid phone number." (not E.164), 21602 "Message body is
///   required.", 21603 "The 'From' phone number is required.", 21617 "The concatenated message body exceeds the 1600
///   character limit."; a number in ``Configuration/invalidNumbers`` draws 21211 too; one in ``Configuration/unsubscribed`` draws 21610 "Attempt to send to unsubscribed
///   recipient"; 429 code 20429 "Too Many Requests" beyond ``Configuration/messagesPerSecond``.
///
/// Test controls: ``faults`` (route `messages`, e.g. ``tooManyRequests`` or a 503); inspection: ``messages``.
public final class TwilioStandIn: Sendable {
    /// How the stand-in account behaves.
    public struct Configuration: Sendable {
        public var accountSID: String
        public var authToken: String
        /// Numbers that replied STOP: sending to them is refused with 21610.
        public var unsubscribed: Set<String>
        /// Messages accepted per second before 429 (nil: no limit).
        public var messagesPerSecond: Int?
        /// E.164-shaped numbers Twilio nevertheless refuses as not valid (21211), as it does unassigned ones.
        public var invalidNumbers: Set<String>

        public init(
            accountSID: String = "AC" + String(repeating: "0", count: 31) + "1",
            authToken: String = "stand-in-auth-token",
            unsubscribed: Set<String> = [],
            messagesPerSecond: Int? = nil,
            invalidNumbers: Set<String> = []
        ) {
            self.accountSID = accountSID
            self.authToken = authToken
            self.unsubscribed = unsubscribed
            self.messagesPerSecond = messagesPerSecond
            self.invalidNumbers = invalidNumbers
        }
    }

    /// A message the stand-in accepted.
    public struct Message: Sendable, Equatable {
        public var sid: String
        public var to: String
        public var from: String
        public var body: String
        public var segments: Int
        public var createdAt: Date
    }

    struct State {
        var messages: [Message] = []
        var nextSID = 1
        var second = 0
        var sentThisSecond = 0
    }

    public let configuration: Configuration
    public let faults = StandInFaults()
    let state = Mutex(State())

    public init(_ configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// The messages accepted so far, in order.
    public var messages: [Message] { state.withLock { $0.messages } }

    /// Twilio's answer to too many requests, for ``faults``.
    public static let tooManyRequests = StandInFault.answer(
        status: 429,
        body: #"{"code": 20429, "message": "Too Many Requests", "more_info": "https://www.twilio.com/docs/errors/20429", "status": 429}"#
    )

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/2010-04-01/Accounts/:account/Messages.json") { request, context in
            try await self.create(request, account: context.parameters.get("account") ?? "")
        }
        router.get("/2010-04-01/Accounts/:account/Messages/:sid") { request, context in
            self.fetch(request, account: context.parameters.get("account") ?? "", sid: context.parameters.get("sid") ?? "")
        }
        return router
    }

    func create(_ request: Request, account: String) async throws -> Response {
        let fault = faults.next(for: "messages")
        switch fault {
        case .answer(let status, let headers, let body):
            return Self.response(status, json: Data(body.utf8), headers: headers)
        case .stallBeforeWork(let seconds):
            try await Task.sleep(for: .seconds(seconds))
            throw StandInError("the Twilio stand-in stalled and gave no answer")
        case .storeThenStall, nil:
            break
        }
        if let refusal = authenticate(request, account: account) { return refusal }
        var request = request
        let body = Data(try await request.collectBody(upTo: 1 << 20).readableBytesView)
        // Twilio reads its parameters as a form; the Mastodon stand-in's form reader reads the same encoding.
        let form = MastodonStandInForm(body: body, contentType: request.headers[.contentType])
        let to = form?.value("To") ?? ""
        let from = form?.value("From") ?? form?.value("MessagingServiceSid") ?? ""
        let text = form?.value("Body") ?? ""
        if to.range(of: #"^\+[1-9][0-9]{6,14}$"#, options: .regularExpression) == nil || configuration.invalidNumbers.contains(to) {
            return Self.error(400, code: 21211, "The 'To' number \(to) is not a valid phone number.")
        }
        if from.isEmpty { return Self.error(400, code: 21603, "The 'From' phone number is required.") }
        if text.isEmpty { return Self.error(400, code: 21602, "Message body is required.") }
        if text.count > 1_600 { return Self.error(400, code: 21617, "The concatenated message body exceeds the 1600 character limit.") }
        if configuration.unsubscribed.contains(to) { return Self.error(400, code: 21610, "Attempt to send to unsubscribed recipient") }
        let now = Date()
        let segments = SMSEncoding.of(text).measure(text).segments
        let limit = configuration.messagesPerSecond
        let message: Message? = state.withLock { state in
            let second = Int(now.timeIntervalSince1970)
            if state.second != second {
                state.second = second
                state.sentThisSecond = 0
            }
            if let limit, state.sentThisSecond >= limit { return nil }
            state.sentThisSecond += 1
            let digits = String(state.nextSID, radix: 16)
            let sid = "SM" + String(repeating: "0", count: 32 - digits.count) + digits
            state.nextSID += 1
            let message = Message(sid: sid, to: to, from: from, body: text, segments: segments, createdAt: now)
            state.messages.append(message)
            return message
        }
        guard let message else { return Self.response(429, json: Data(Self.tooManyRequestsBody.utf8), headers: [:]) }
        if case .storeThenStall(let seconds) = fault {
            try await Task.sleep(for: .seconds(seconds))
        }
        return Self.response(201, json: resource(message), headers: [:])
    }

    func fetch(_ request: Request, account: String, sid: String) -> Response {
        if let refusal = authenticate(request, account: account) { return refusal }
        let id = sid.hasSuffix(".json") ? String(sid.dropLast(5)) : sid
        guard let message = state.withLock({ $0.messages.first { $0.sid == id } }) else {
            return Self.error(404, code: 20404, "The requested resource /2010-04-01/Accounts/\(account)/Messages/\(id).json was not found")
        }
        return Self.response(200, json: resource(message), headers: [:])
    }

    /// nil when the basic credentials name this account and its token.
    func authenticate(_ request: Request, account: String) -> Response? {
        let expected = "Basic " + Data("\(configuration.accountSID):\(configuration.authToken)".utf8).base64EncodedString()
        guard account == configuration.accountSID, request.headers[.authorization] == expected else {
            return Self.error(401, code: 20003, "Authenticate")
        }
        return nil
    }

    /// The Message resource as Twilio writes it.
    func resource(_ message: Message) -> Data {
        let created = RFC5322Date.format(message.createdAt)
        let object: [String: Any] = [
            "sid": message.sid, "account_sid": configuration.accountSID, "to": message.to, "from": message.from, "body": message.body,
            "status": "queued", "num_segments": String(message.segments), "num_media": "0", "direction": "outbound-api",
            "api_version": "2010-04-01", "date_created": created, "date_updated": created, "date_sent": NSNull(),
            "error_code": NSNull(), "error_message": NSNull(), "price": NSNull(), "price_unit": "USD",
            "messaging_service_sid": NSNull(),
            "uri": "/2010-04-01/Accounts/\(configuration.accountSID)/Messages/\(message.sid).json",
        ]
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    }

    static let tooManyRequestsBody =
        #"{"code": 20429, "message": "Too Many Requests", "more_info": "https://www.twilio.com/docs/errors/20429", "status": 429}"#

    static func error(_ status: Int, code: Int, _ message: String) -> Response {
        let object: [String: Any] = ["code": code, "message": message, "more_info": "https://www.twilio.com/docs/errors/\(code)", "status": status]
        return response(status, json: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data(), headers: [:])
    }

    static func response(_ status: Int, json: Data, headers: [String: String]) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "application/json; charset=utf-8"
        for (name, value) in headers {
            if let name = HTTPField.Name(name) { fields[name] = value }
        }
        return Response(status: HTTPResponse.Status(code: status), headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: json)))
    }
}
