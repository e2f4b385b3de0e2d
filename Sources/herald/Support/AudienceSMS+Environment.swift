import Connectors
import Foundation
import HeraldCore
import Jobs
import Logging

extension AudienceSMS {
    /// The audience SMS a worker sends with, from the environment, next to the SMTP settings of ``AudienceMail``:
    /// `HERALD_SMS_URL` (the Twilio-style gateway's base URL: `https://api.twilio.com`, or a stand-in),
    /// `HERALD_SMS_ACCOUNT` (the account SID, `AC…`), `HERALD_SMS_TOKEN` (its auth token), `HERALD_SMS_FROM` (the
    /// sender: an E.164 number, short code or alphanumeric id of the account) and optionally `HERALD_SMS_CONCURRENCY`
    /// (messages in flight per job, default 4).
    ///
    /// - Returns: nil when `HERALD_SMS_URL` is not set (then `send_messages` jobs of SMS campaigns fail, naming it).
    /// - Throws: ``CommandFailure`` naming the variable that is missing or wrong.
    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger) throws -> AudienceSMS? {
        guard let url = environment["HERALD_SMS_URL"], !url.isEmpty else { return nil }
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
            throw CommandFailure(message: "HERALD_SMS_URL must be the gateway's http(s) base URL, e.g. https://api.twilio.com")
        }
        func required(_ name: String, _ example: String) throws -> String {
            guard let value = environment[name], !value.isEmpty else {
                throw CommandFailure(message: "HERALD_SMS_URL is set but \(name) is not: set it to \(example)")
            }
            return value
        }
        let account = try required("HERALD_SMS_ACCOUNT", "the gateway account's id (Twilio: the Account SID, AC…)")
        let token = try required("HERALD_SMS_TOKEN", "the gateway account's auth token")
        let from = try required("HERALD_SMS_FROM", "the sender's number in E.164 (+15558675310), a short code or a sender id")
        var concurrency = 4
        if let text = environment["HERALD_SMS_CONCURRENCY"], !text.isEmpty {
            guard let value = Int(text), value > 0 else {
                throw CommandFailure(message: "HERALD_SMS_CONCURRENCY must be a whole number above 0, not \"\(text)\"")
            }
            concurrency = value
        }
        let connector = TwilioSMSConnector(http: PlatformHTTP(), baseURL: url, accountSID: account, authToken: token, logger: logger)
        return AudienceSMS(sender: connector, from: from, concurrency: concurrency)
    }
}
