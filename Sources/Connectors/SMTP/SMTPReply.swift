/// One reply of an SMTP server (RFC 5321 §4.2): a three-digit code and one or more lines of text, with the enhanced
/// status code (RFC 3463, `5.1.1`) when the server gives one.
public struct SMTPReply: Sendable, Equatable, CustomStringConvertible {
    /// The reply code, 200-599.
    public var code: Int
    /// The text of each line, after the code and its separator (`250-SIZE 1000` → `SIZE 1000`).
    public var lines: [String]

    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    /// The enhanced status code at the start of the first line, when it is one whose class matches the reply's.
    public var enhancedStatus: EnhancedStatusCode? {
        guard let first = lines.first, let status = EnhancedStatusCode(prefixOf: first), status.klass == code / 100 else { return nil }
        return status
    }

    /// 2xx: done.
    public var isCompletion: Bool { (200..<300).contains(code) }
    /// 3xx: go on (354 after DATA, 334 during AUTH).
    public var isIntermediate: Bool { (300..<400).contains(code) }
    /// 4xx: not now, try again later.
    public var isTransientFailure: Bool { (400..<500).contains(code) }
    /// 5xx: never like this.
    public var isPermanentFailure: Bool { (500..<600).contains(code) }

    /// The last line with its code, as logs and receipts show it: `250 2.0.0 Ok: queued as 4F1C2`.
    public var description: String {
        "\(code) \(lines.last ?? "")"
    }
}

/// An enhanced mail system status code (RFC 3463): class (2, 4 or 5), subject and detail, as in `5.1.1`.
public struct EnhancedStatusCode: Sendable, Equatable, CustomStringConvertible {
    public var klass: Int
    public var subject: Int
    public var detail: Int

    public init(klass: Int, subject: Int, detail: Int) {
        self.klass = klass
        self.subject = subject
        self.detail = detail
    }

    /// The code at the start of `text` (`5.1.1 User unknown`), or nil.
    public init?(prefixOf text: String) {
        let token = text.prefix { $0 != " " }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let klass = Int(parts[0]), [2, 4, 5].contains(klass), parts[0].count == 1,
            (1...3).contains(parts[1].count), (1...3).contains(parts[2].count),
            let subject = Int(parts[1]), let detail = Int(parts[2]),
            parts[1].allSatisfy(\.isASCII), parts[2].allSatisfy(\.isASCII)
        else { return nil }
        self.init(klass: klass, subject: subject, detail: detail)
    }

    public var description: String { "\(klass).\(subject).\(detail)" }
}

/// Assembles replies from the lines a server sends (`250-…` continues a reply, `250 …` or a bare `250` ends it).
public struct SMTPReplyParser: Sendable {
    var code: Int?
    var lines: [String] = []

    public init() {}

    /// Takes one line (without its CRLF) and returns the reply it completes, if it does.
    ///
    /// - Throws: ``SMTPReplyError`` when the line does not start with a code from 200 to 599 followed by `-`, a space
    ///   or nothing, or when a continued reply changes its code.
    public mutating func feed(_ line: Substring) throws(SMTPReplyError) -> SMTPReply? {
        let utf8 = Array(line.utf8.prefix(4))
        guard utf8.count >= 3, utf8[0] >= 50, utf8[0] <= 53, utf8[1] >= 48, utf8[1] <= 57, utf8[2] >= 48, utf8[2] <= 57 else {
            throw SMTPReplyError(line: String(line), reason: "does not start with a reply code from 200 to 599")
        }
        let code = Int(utf8[0] - 48) * 100 + Int(utf8[1] - 48) * 10 + Int(utf8[2] - 48)
        let separator: UInt8? = utf8.count > 3 ? utf8[3] : nil
        guard separator == nil || separator == 45 || separator == 32 else {
            throw SMTPReplyError(line: String(line), reason: "the code is followed by neither \"-\" nor a space")
        }
        if let current = self.code, current != code {
            throw SMTPReplyError(line: String(line), reason: "continues a \(current) reply with another code")
        }
        let text = line.utf8.count > 4 ? String(line.dropFirst(4)) : ""
        lines.append(text)
        if separator == 45 {
            self.code = code
            return nil
        }
        let reply = SMTPReply(code: code, lines: lines)
        self.code = nil
        lines = []
        return reply
    }

    /// Every reply in `text` (lines ended by CRLF or LF); a last reply left unfinished is an error.
    public static func parse(_ text: String) throws(SMTPReplyError) -> [SMTPReply] {
        var parser = SMTPReplyParser()
        var replies: [SMTPReply] = []
        // Split on the bytes: in Swift's characters "\r\n" is one, which "\n" would not match.
        var lines = text.utf8.split(separator: 10, omittingEmptySubsequences: false).map { bytes in
            String(decoding: bytes.last == 13 ? bytes.dropLast() : bytes, as: UTF8.self)
        }
        if lines.last == "" { lines.removeLast() }
        for line in lines {
            if let reply = try parser.feed(line[...]) { replies.append(reply) }
        }
        if parser.code != nil {
            throw SMTPReplyError(line: String(lines.last ?? ""), reason: "the reply ends with a continuation line")
        }
        return replies
    }
}

/// A line from an SMTP server that is not part of a well-formed reply.
public struct SMTPReplyError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: String
    public var reason: String

    public var description: String { "SMTP reply line \"\(line.prefix(120))\" \(reason)" }
}
