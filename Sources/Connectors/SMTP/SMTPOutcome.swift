/// What an SMTP failure means for a delivery (the classes ``ConnectorError`` names), by step and reply:
///
/// - a 4xx reply anywhere, silence or a closed connection before the final `.` was sent: `transient` (nothing was
///   accepted; try again later);
/// - a 5xx reply to RCPT TO, DATA or the end of the data: `rejected_content`, a hard bounce (the caller suppresses
///   the address);
/// - a 5xx to the greeting, EHLO, MAIL FROM or AUTH, a missing STARTTLS or AUTH mechanism: `auth` (the server refuses
///   Herald as a sender: its configuration needs fixing, not the recipient's address);
/// - silence or a closed connection after the final `.` was sent: `unknown_outcome` (the server may have queued the
///   message; at most once means not sending it again blindly).
public enum SMTPOutcome {
    /// The delivery class of `error`.
    public static func kind(of error: SMTPError) -> ConnectorError.Kind {
        switch error.reason {
        case .reply(let reply):
            if reply.isTransientFailure { return .transient }
            switch error.stage {
            case .rcptTo, .data, .endOfData: return reply.isPermanentFailure ? .rejectedContent : .transient
            case .reset, .quit: return .transient
            default: return reply.isPermanentFailure ? .auth : .transient
            }
        case .timeout, .connectionLost:
            return error.stage == .endOfData ? .unknownOutcome : .transient
        case .malformed:
            return error.stage == .endOfData ? .unknownOutcome : .transient
        case .unsupported:
            return .auth
        }
    }

    /// `error` as the ``ConnectorError`` a ``MailSender`` throws (the reply code as its status).
    public static func connectorError(_ error: SMTPError) -> ConnectorError {
        var status: Int?
        if case .reply(let reply) = error.reason { status = reply.code }
        return ConnectorError(kind(of: error), error.description, status: status)
    }
}
