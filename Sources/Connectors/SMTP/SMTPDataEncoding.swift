import NIOCore

/// The bytes of DATA (RFC 5321 §4.5.2): the message with every line that starts with `.` given one more `.`, a CRLF
/// at the end if it has none, and the final `.` line.
public enum SMTPDataEncoding {
    /// Appends the dot-stuffed message and its terminator to `buffer`.
    ///
    /// - Complexity: O(n); a message with no line starting with `.` (what ``MIMEWriter`` writes) is copied in one go.
    public static func write(_ message: [UInt8], into buffer: inout ByteBuffer) {
        buffer.reserveCapacity(minimumWritableBytes: message.count + 8)
        if needsStuffing(message) {
            var lineStart = true
            var chunkStart = 0
            for index in message.indices {
                if lineStart && message[index] == 46 {
                    buffer.writeBytes(message[chunkStart..<index])
                    buffer.writeInteger(UInt8(46))
                    chunkStart = index
                }
                lineStart = message[index] == 10
            }
            buffer.writeBytes(message[chunkStart...])
        } else {
            buffer.writeBytes(message)
        }
        let endsWithCRLF = message.count >= 2 && message[message.count - 2] == 13 && message[message.count - 1] == 10
        buffer.writeStaticString(endsWithCRLF ? ".\r\n" : "\r\n.\r\n")
    }

    static func needsStuffing(_ message: [UInt8]) -> Bool {
        guard let first = message.first else { return false }
        if first == 46 { return true }
        return message.withUnsafeBufferPointer { bytes in
            var index = 0
            let end = bytes.count - 1
            while index < end {
                if bytes[index] == 10 && bytes[index + 1] == 46 { return true }
                index += 1
            }
            return false
        }
    }
}
