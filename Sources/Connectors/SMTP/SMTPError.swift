/// Why an SMTP exchange failed: the step it failed at and what happened there (a reply, silence, a closed
/// connection). ``SMTPOutcome`` turns it into the delivery class.
public struct SMTPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The steps of a session, in order.
    public enum Stage: String, Sendable, Equatable {
        case connect, greeting, ehlo, helo
        case startTLS = "starttls"
        case auth
        case mailFrom = "mail from"
        case rcptTo = "rcpt to"
        case data
        /// The message's bytes and the final `.`: a failure here after the `.` was sent leaves the outcome unknown.
        case endOfData = "end of data"
        case reset = "rset"
        case quit
    }

    /// What went wrong.
    public enum Reason: Sendable, Equatable {
        /// The server answered with a failure (or an unexpected code).
        case reply(SMTPReply)
        /// No reply within the command's timeout.
        case timeout
        /// The connection closed (or could not be made) before the reply.
        case connectionLost(String)
        /// The server sent something that is not an SMTP reply.
        case malformed(String)
        /// The server does not offer what the configuration requires (STARTTLS, an AUTH mechanism Herald speaks).
        case unsupported(String)
    }

    public var stage: Stage
    public var reason: Reason
    /// The server, `host:port`.
    public var server: String

    public init(_ stage: Stage, _ reason: Reason, server: String) {
        self.stage = stage
        self.reason = reason
        self.server = server
    }

    /// Whether the connection can carry another message after this failure (a refused recipient: yes, after RSET;
    /// silence, a closed connection or a 421: no).
    public var leavesConnectionUsable: Bool {
        guard case .reply(let reply) = reason else { return false }
        return reply.code != 421 && stage != .greeting && stage != .connect && stage != .startTLS
    }

    public var description: String {
        switch reason {
        case .reply(let reply): "\(server) answered \(stage.rawValue) with \(reply)"
        case .timeout: "\(server) did not answer \(stage.rawValue) in time"
        case .connectionLost(let detail): "connection to \(server) lost at \(stage.rawValue): \(detail)"
        case .malformed(let detail): "\(server) sent a malformed reply at \(stage.rawValue): \(detail)"
        case .unsupported(let detail): "\(server) at \(stage.rawValue): \(detail)"
        }
    }
}
