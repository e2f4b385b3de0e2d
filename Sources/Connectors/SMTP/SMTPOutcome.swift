/// What an SMTP failure means for a delivery (the classes ``ConnectorError`` names), by step and reply:
///
/// - a 4xx reply anywhere, silence or a closed connection before the final `.` was sent: `transient` (nothing was
///   accepted; try again later);
/// - a 5xx reply to RCPT TO that is about the address (an enhanced status 5.1.x or 5.2.1, or a bare 550, 551 or 553):
///   `rejected_content`, a hard bounce (the caller suppresses the address);
/// - any other 5xx to RCPT TO, DATA or the end of the data (relaying denied, an unverified sender, DMARC, a message
///   refused as spam: 5.7.x and the like): `auth`, a refusal of this sender or this message, never of the person's
///   address, so it retries and then fails without suppressing anyone (one misconfigured relay must not suppress a
///   whole list);
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
            case .rcptTo: return reply.isPermanentFailure ? (isHardBounce(reply) ? .rejectedContent : .auth) : .transient
            case .data, .endOfData: return reply.isPermanentFailure ? .auth : .transient
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

    /// Whether a permanent reply to RCPT TO says the address itself does not take mail (RFC 3463: 5.1.x addressing,
    /// 5.2.1 mailbox disabled; without an enhanced status, the codes 550, 551 and 553).
    static func isHardBounce(_ reply: SMTPReply) -> Bool {
        guard let status = reply.enhancedStatus else { return [550, 551, 553].contains(reply.code) }
        return status.klass == 5 && (status.subject == 1 || (status.subject == 2 && status.detail == 1))
    }

    /// `error` as the ``ConnectorError`` a ``MailSender`` throws (the reply code as its status).
    public static func connectorError(_ error: SMTPError) -> ConnectorError {
        var status: Int?
        if case .reply(let reply) = error.reason { status = reply.code }
        return ConnectorError(kind(of: error), error.description, status: status)
    }
}
