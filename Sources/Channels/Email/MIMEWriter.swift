import Foundation
import HeraldCore

/// Turns a ``MailMessage`` into the bytes of an Internet message (RFC 5322 with MIME, RFC 2045-2047), ready for
/// SMTP's DATA.
///
/// What it writes: `Date`, `From` (a display name as RFC 2047 encoded words when it is not plain ASCII), `To`,
/// `Subject` (encoded words when non-ASCII), `Message-ID`, `MIME-Version`, the message's extra headers in order, then
/// either one `text/plain` part or a `multipart/alternative` of `text/plain` and `text/html` (the preheader as hidden
/// text at the top of the HTML). Bodies are UTF-8 in quoted-printable; every line ends in CRLF and is at most 76
/// characters in the bodies (998 in headers); no body line starts with a dot (a leading `.` is written `=2E`).
///
/// The boundary starts with `=_`, which quoted-printable output can never contain (an `=` in it is always followed
/// by two hexadecimal digits or a line break), so it cannot occur in the bodies whatever they hold.
///
/// ```swift
/// let bytes = MIMEWriter().write(message, date: now)
/// ```
///
/// - Complexity: O(n) in the size of the message; one buffer, reserved once.
public struct MIMEWriter: Sendable {
    public init() {}

    /// The whole message, headers and body, with CRLF line ends and no final `.` line.
    public func write(_ message: MailMessage, date: Date) -> [UInt8] {
        var out: [UInt8] = []
        write(message, date: date, into: &out)
        return out
    }

    /// Appends the message to `out` (a buffer a caller reuses between messages keeps its capacity).
    public func write(_ message: MailMessage, date: Date, into out: inout [UInt8]) {
        out.reserveCapacity(out.count + 1_024 + message.text.utf8.count * 11 / 10 + (message.html?.utf8.count ?? 0) * 11 / 10)
        Self.header("Date", RFC5322Date.format(date), into: &out)
        var from = ""
        if let name = message.fromName, !name.isEmpty {
            from = Self.phrase(name) + " <" + Self.sanitised(message.from) + ">"
        } else {
            from = Self.sanitised(message.from)
        }
        Self.header("From", from, into: &out)
        Self.header("To", Self.sanitised(message.to), into: &out)
        Self.header("Subject", Self.unstructured(message.subject, name: "Subject"), into: &out)
        Self.header("Message-ID", Self.sanitised(message.messageID), into: &out)
        Self.header("MIME-Version", "1.0", into: &out)
        for header in message.headers {
            Self.header(Self.sanitised(header.name), Self.unstructured(header.value, name: header.name), into: &out)
        }
        guard let html = message.html else {
            Self.partHeaders(type: "text/plain", into: &out)
            out.append(contentsOf: Self.crlf)
            QuotedPrintable.encode(message.text, into: &out)
            return
        }
        let boundary = Self.boundary(for: message.messageID)
        Self.header("Content-Type", "multipart/alternative; boundary=\"\(boundary)\"", into: &out)
        out.append(contentsOf: Self.crlf)
        out.append(contentsOf: "This is a multi-part message in MIME format.\r\n".utf8)
        Self.delimiter(boundary, into: &out)
        Self.partHeaders(type: "text/plain", into: &out)
        out.append(contentsOf: Self.crlf)
        QuotedPrintable.encode(message.text, into: &out)
        Self.delimiter(boundary, into: &out)
        Self.partHeaders(type: "text/html", into: &out)
        out.append(contentsOf: Self.crlf)
        var contiguousHTML = html
        contiguousHTML.withUTF8 { bytes in
            guard let (offset, hidden) = Self.preheaderInsertion(bytes, message.preheader) else {
                QuotedPrintable.encode(bytes, into: &out)
                return
            }
            // The HTML with the hidden preheader spliced in, encoded as one text (the encoder looks one byte ahead).
            var spliced: [UInt8] = []
            spliced.reserveCapacity(bytes.count + hidden.count)
            spliced.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[..<offset]))
            spliced.append(contentsOf: hidden)
            spliced.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[offset...]))
            spliced.withUnsafeBufferPointer { QuotedPrintable.encode($0, into: &out) }
        }
        Self.delimiter(boundary, closing: true, into: &out)
    }

    /// A part's delimiter line (`CRLF--boundary CRLF`), or the closing one (`CRLF--boundary-- CRLF`).
    static func delimiter(_ boundary: String, closing: Bool = false, into out: inout [UInt8]) {
        out.append(contentsOf: "\r\n--".utf8)
        out.append(contentsOf: boundary.utf8)
        if closing { out.append(contentsOf: "--".utf8) }
        out.append(contentsOf: crlf)
    }

    /// The multipart boundary of a message: `=_herald_` and 16 hex digits of its `Message-ID` (FNV-1a), so a retry
    /// writes the same bytes.
    public static func boundary(for messageID: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in messageID.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        let digits = String(hash, radix: 16)
        return "=_herald_" + String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// The HTML with the preheader as hidden text just inside `<body>` (or first), unless the HTML already carries it
    /// (the campaign renderer's ``EmailHTML`` puts it there itself).
    static func withPreheader(_ html: String, _ preheader: String?) -> String {
        var html = html
        return html.withUTF8 { bytes in
            guard let (offset, hidden) = preheaderInsertion(bytes, preheader) else { return String(decoding: bytes, as: UTF8.self) }
            return String(decoding: Array(bytes[..<offset]) + hidden + Array(bytes[offset...]), as: UTF8.self)
        }
    }

    /// Where the hidden preheader goes in `html` (just after the `<body …>` tag, ASCII case ignored, or at the start)
    /// and its bytes; nil when there is no preheader or the HTML already holds it. Works on bytes: this runs for
    /// every message of a send.
    static func preheaderInsertion(_ html: UnsafeBufferPointer<UInt8>, _ preheader: String?) -> (Int, [UInt8])? {
        guard let preheader, !preheader.isEmpty else { return nil }
        let escaped = Array(HTMLEscaping.escape(preheader).utf8)
        if firstIndex(of: escaped, in: html, from: 0) != nil { return nil }
        let hidden = Array("<div style=\"display:none;max-height:0;overflow:hidden\">".utf8) + escaped + Array("</div>".utf8)
        let body = Array("<body".utf8)
        var index = 0
        while index + body.count <= html.count {
            var matches = true
            for offset in 0..<body.count where asciiLowercased(html[index + offset]) != body[offset] {
                matches = false
                break
            }
            if matches {
                var close = index + body.count
                while close < html.count && html[close] != 62 { close += 1 }
                return close < html.count ? (close + 1, hidden) : (0, hidden)
            }
            index += 1
        }
        return (0, hidden)
    }

    @inline(__always)
    static func asciiLowercased(_ byte: UInt8) -> UInt8 {
        (65...90).contains(byte) ? byte + 32 : byte
    }

    /// The first offset at or after `start` where `needle` occurs in `haystack`.
    static func firstIndex(of needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard let first = needle.first, needle.count <= haystack.count else { return needle.isEmpty ? start : nil }
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first {
                var offset = 1
                while offset < needle.count && haystack[index + offset] == needle[offset] { offset += 1 }
                if offset == needle.count { return index }
            }
            index += 1
        }
        return nil
    }

    static let crlf: [UInt8] = [13, 10]

    static func partHeaders(type: String, into out: inout [UInt8]) {
        header("Content-Type", "\(type); charset=utf-8", into: &out)
        header("Content-Transfer-Encoding", "quoted-printable", into: &out)
    }

    static func header(_ name: String, _ value: String, into out: inout [UInt8]) {
        out.append(contentsOf: name.utf8)
        out.append(contentsOf: ": ".utf8)
        out.append(contentsOf: value.utf8)
        out.append(contentsOf: crlf)
    }

    /// The value with CR and LF replaced by spaces: header text can never end a header or start another one.
    static func sanitised(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == 13 || $0 == 10 }) else { return value }
        return String(decoding: value.utf8.map { $0 == 13 || $0 == 10 ? 32 : $0 }, as: UTF8.self)
    }

    /// Unstructured header text: as it is when it is printable ASCII, fits a line and cannot be taken for an encoded
    /// word; otherwise RFC 2047 encoded words, folded.
    static func unstructured(_ value: String, name: String) -> String {
        let value = sanitised(value)
        if isPlain(value) && name.utf8.count + 2 + value.utf8.count <= 998 { return value }
        return EncodedWords.encode(value)
    }

    /// A display name: a quoted string when it is printable ASCII, otherwise encoded words.
    static func phrase(_ name: String) -> String {
        let name = sanitised(name)
        guard isPlain(name), name.utf8.count <= 900 else { return EncodedWords.encode(name) }
        var quoted = "\""
        for character in name {
            if character == "\"" || character == "\\" { quoted.append("\\") }
            quoted.append(character)
        }
        return quoted + "\""
    }

    static func isPlain(_ value: String) -> Bool {
        var previous: UInt8 = 0
        for byte in value.utf8 {
            // Printable ASCII, and no `=?` (the start of an encoded word).
            if byte < 32 || byte > 126 || (previous == 61 && byte == 63) { return false }
            previous = byte
        }
        return true
    }
}

/// RFC 2047 `B` encoded words in UTF-8, at most 75 characters each, folded with CRLF and a space; a character's
/// bytes are never split between words.
enum EncodedWords {
    static func encode(_ text: String) -> String {
        var words: [String] = []
        var chunk: [UInt8] = []
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            // 45 bytes make 60 base64 characters: with `=?UTF-8?B?` and `?=` a 72-character word.
            if chunk.count + bytes.count > 45 {
                words.append(word(chunk))
                chunk.removeAll(keepingCapacity: true)
            }
            chunk.append(contentsOf: bytes)
        }
        if !chunk.isEmpty || words.isEmpty { words.append(word(chunk)) }
        return words.joined(separator: "\r\n ")
    }

    static func word(_ bytes: [UInt8]) -> String {
        "=?UTF-8?B?" + Data(bytes).base64EncodedString() + "?="
    }
}

/// Quoted-printable (RFC 2045 §6.7) for text bodies: line breaks (LF, CRLF or a lone CR) become CRLF, encoded lines
/// are at most 76 characters (soft breaks `=`), trailing spaces and tabs are encoded, and a line never starts with `.`.
public enum QuotedPrintable {
    /// Appends the encoding of `text` to `out`, without a final line break.
    public static func encode(_ text: String, into out: inout [UInt8]) {
        var text = text
        // The contiguous UTF-8 bytes, read by offset: the hot loop of a large send.
        text.withUTF8 { bytes in encode(bytes, into: &out) }
    }

    /// The encoder's loop: literal bytes are not appended one by one but as runs, copied in one go when an escape, a
    /// soft break, a line break or the end interrupts them (a body is mostly literal).
    static func encode(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var column = 0
        var index = 0
        var run = 0
        let end = bytes.count
        while index != end {
            let byte = bytes[index]
            let next = index + 1
            if byte == 10 || byte == 13 {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<index]))
                out.append(13)
                out.append(10)
                column = 0
                index = (byte == 13 && next != end && bytes[next] == 10) ? next + 1 : next
                run = index
                continue
            }
            let lineEnds = next == end || bytes[next] == 10 || bytes[next] == 13
            let literal: Bool
            switch byte {
            case 33...60, 62...126: literal = true
            case 9, 32: literal = !lineEnds
            default: literal = false
            }
            // Keep room for the soft break's `=`; at the line's end the last character may take the 76th column.
            if column + (literal ? 1 : 3) > (lineEnds ? 76 : 75) {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<index]))
                out.append(61)
                out.append(13)
                out.append(10)
                column = 0
                run = index
            }
            if literal && !(byte == 46 && column == 0) {
                column += 1
            } else {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<index]))
                out.append(61)
                out.append(upperHex(byte >> 4))
                out.append(upperHex(byte & 0x0F))
                column += 3
                run = next
            }
            index = next
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<end]))
    }

    /// The bytes `encoded` stands for (soft breaks removed, `=XX` decoded, line breaks kept as CRLF); nil when an `=`
    /// is followed by neither two hexadecimal digits nor a line break.
    public static func decode(_ encoded: some Collection<UInt8>) -> [UInt8]? {
        let bytes = Array(encoded)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == 61 else {
                out.append(byte)
                index += 1
                continue
            }
            if index + 2 < bytes.count, bytes[index + 1] == 13, bytes[index + 2] == 10 {
                index += 3
            } else if index + 2 < bytes.count, let high = TextEncoding.nibble(bytes[index + 1]), let low = TextEncoding.nibble(bytes[index + 2]) {
                out.append(high << 4 | low)
                index += 3
            } else {
                return nil
            }
        }
        return out
    }

    @inline(__always)
    static func upperHex(_ value: UInt8) -> UInt8 {
        value < 10 ? 48 + value : 55 + value
    }
}
