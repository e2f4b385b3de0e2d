import Connectors
import Foundation
import HeraldCore
import Jobs
import Logging

extension AudienceMail {
    /// The audience mail a worker sends with, from the environment: `HERALD_SMTP_URL` (the SMTP server, see
    /// ``SMTPServerURL``), `HERALD_MAIL_FROM` (the sender's address), and optionally `HERALD_MAIL_FROM_NAME`,
    /// `HERALD_SMTP_CONNECTIONS` (default 4) and `HERALD_SMTP_RATE` (messages per second at most; default unlimited).
    ///
    /// - Returns: nil when `HERALD_SMTP_URL` is not set (then `send_messages` jobs fail, naming it).
    /// - Throws: ``CommandFailure`` naming the variable that is wrong and what it should be.
    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger) throws -> AudienceMail? {
        guard let url = environment["HERALD_SMTP_URL"], !url.isEmpty else { return nil }
        let server: SMTPServerURL
        do {
            server = try SMTPServerURL(parsing: url)
        } catch {
            throw CommandFailure(message: "HERALD_SMTP_URL: \(error)")
        }
        guard let fromText = environment["HERALD_MAIL_FROM"], !fromText.isEmpty else {
            throw CommandFailure(message: "HERALD_SMTP_URL is set but HERALD_MAIL_FROM is not: set it to the sender's address, e.g. news@example.com")
        }
        let from: String
        do {
            from = try EmailAddress(parsing: fromText, field: "HERALD_MAIL_FROM").normalized
        } catch {
            throw CommandFailure(message: "\(error)")
        }
        let connections = try positive(environment["HERALD_SMTP_CONNECTIONS"], name: "HERALD_SMTP_CONNECTIONS") ?? 4
        let rate = try positive(environment["HERALD_SMTP_RATE"], name: "HERALD_SMTP_RATE").map(Double.init)
        let configuration = SMTPConfiguration(server: server, connections: connections, messagesPerSecond: rate)
        let pool = SMTPPool(configuration, logger: logger)
        return AudienceMail(
            sender: SMTPMailSender(pool: pool, logger: logger),
            from: from,
            fromName: environment["HERALD_MAIL_FROM_NAME"].flatMap { $0.isEmpty ? nil : $0 },
            concurrency: connections * 2
        )
    }

    /// A whole number above zero from an environment variable, nil when it is not set.
    private static func positive(_ text: String?, name: String) throws -> Int? {
        guard let text, !text.isEmpty else { return nil }
        guard let value = Int(text), value > 0 else { throw CommandFailure(message: "\(name) must be a whole number above 0, not \"\(text)\"") }
        return value
    }
}
