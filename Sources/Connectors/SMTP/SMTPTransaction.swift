import NIOCore

/// One message for ``SMTPConnection/send(_:)``: its envelope and its DATA bytes, dot-stuffed and ended with the final
/// `.` line as ``SMTPDataEncoding`` writes them.
public struct SMTPTransaction: Sendable {
    /// The envelope sender (the bounce address).
    public var from: String
    /// The one envelope recipient.
    public var to: String
    /// The bytes after DATA, final `.` included.
    public var content: ByteBuffer

    public init(from: String, to: String, content: ByteBuffer) {
        self.from = from
        self.to = to
        self.content = content
    }

    /// A transaction for `message` as ``MIMEWriter`` writes it (CRLF lines, no final `.`): dot-stuffed and ended here.
    public init(from: String, to: String, message: [UInt8]) {
        var content = ByteBuffer()
        SMTPDataEncoding.write(message, into: &content)
        self.init(from: from, to: to, content: content)
    }
}
