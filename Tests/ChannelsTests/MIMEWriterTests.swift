import Channels
import Foundation
import HeraldCore
import PropertyBased
import Testing

@Suite struct MIMEWriterTests {
    static let date = Date(timeIntervalSince1970: 1_796_107_286)  // Tue, 01 Dec 2026 06:41:26 +0000

    static func message(text: String = "Hello\nSee https://h.example/r/abc", html: String? = "<p>Hello</p>") -> MailMessage {
        MailMessage(
            from: "news@example.com",
            fromName: "Herald Outdoor",
            to: "reader@example.org",
            subject: "Trail season",
            preheader: "Free returns",
            text: text,
            html: html,
            messageID: MessageID.make(idempotencyKey: "send:1:2", sender: "news@example.com"),
            headers: ListUnsubscribe(url: "https://h.example/u/TOKEN", mailto: "unsubscribe@example.com").headers
        )
    }

    @Test func writesTheHeadersAndAMultipartAlternative() throws {
        let message = Self.message()
        let parsed = try #require(ParsedMail(MIMEWriter().write(message, date: Self.date)))
        #expect(parsed.header("Date") == "Tue, 01 Dec 2026 06:41:26 +0000")
        #expect(parsed.header("From") == "\"Herald Outdoor\" <news@example.com>")
        #expect(parsed.header("To") == "reader@example.org")
        #expect(parsed.header("Subject") == "Trail season")
        #expect(parsed.header("Message-ID") == message.messageID)
        #expect(parsed.header("MIME-Version") == "1.0")
        #expect(parsed.header("List-Unsubscribe") == "<https://h.example/u/TOKEN>, <mailto:unsubscribe@example.com>")
        #expect(parsed.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click")
        #expect(parsed.header("Content-Type")?.hasPrefix("multipart/alternative; boundary=\"=_herald_") == true)
        #expect(parsed.parts.map(\.type) == ["text/plain; charset=utf-8", "text/html; charset=utf-8"])
        #expect(parsed.parts[0].body == "Hello\r\nSee https://h.example/r/abc")
        #expect(parsed.parts[1].body.hasPrefix("<div style=\"display:none;max-height:0;overflow:hidden\">Free returns</div><p>Hello</p>"))
    }

    @Test func writesTextOnlyWhenThereIsNoHTML() throws {
        let parsed = try #require(ParsedMail(MIMEWriter().write(Self.message(html: nil), date: Self.date)))
        #expect(parsed.header("Content-Type") == "text/plain; charset=utf-8")
        #expect(parsed.header("Content-Transfer-Encoding") == "quoted-printable")
        #expect(parsed.parts.map(\.body) == ["Hello\r\nSee https://h.example/r/abc"])
    }

    @Test func putsThePreheaderInsideTheBodyOnceOnly() {
        let inside = MIMEWriterTestsSupport.withPreheader("<html><BODY class=\"x\"><p>Hi</p></body></html>", "Sale & more")
        #expect(
            inside == "<html><BODY class=\"x\"><div style=\"display:none;max-height:0;overflow:hidden\">Sale &amp; more</div><p>Hi</p></body></html>"
        )
        #expect(MIMEWriterTestsSupport.withPreheader(inside, "Sale & more") == inside)
    }

    @Test func encodesNonASCIISubjectsAndNames() throws {
        var message = Self.message()
        message.subject = "Été: 20 % de réduction sur les chaussures de trail 🏃 — jusqu'à dimanche, profitez-en vite"
        message.fromName = "Hérald \"Outdoor\""
        let bytes = MIMEWriter().write(message, date: Self.date)
        #expect(bytes.allSatisfy { $0 < 128 })
        let parsed = try #require(ParsedMail(bytes))
        #expect(parsed.header("Subject").map(EncodedWordDecoder.decode) == message.subject)
        #expect(parsed.header("From").map(EncodedWordDecoder.decode) == "Hérald \"Outdoor\" <news@example.com>")
        // Folded into words of at most 75 characters.
        for line in parsed.rawHeaderLines { #expect(line.utf8.count <= 998) }
    }

    @Test func headerValuesCannotInjectHeaders() throws {
        var message = Self.message()
        message.subject = "Hi\r\nBcc: victim@example.com"
        message.headers.append((name: "X-Campaign", value: "a\nb"))
        let parsed = try #require(ParsedMail(MIMEWriter().write(message, date: Self.date)))
        #expect(parsed.header("Bcc") == nil)
        #expect(parsed.header("Subject") == "Hi  Bcc: victim@example.com")
        #expect(parsed.header("X-Campaign") == "a b")
    }

    @Test func datesAreRFC5322InUTC() {
        #expect(RFC5322Date.format(Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 +0000")
        #expect(RFC5322Date.format(Date(timeIntervalSince1970: 951_782_400)) == "Tue, 29 Feb 2000 00:00:00 +0000")
        #expect(RFC5322Date.format(Date(timeIntervalSince1970: -1)) == "Wed, 31 Dec 1969 23:59:59 +0000")
    }

    @Test func messageIDsAreDerivedFromTheKeyAndTheSendersDomain() {
        let id = MessageID.make(idempotencyKey: "send:1:2", sender: "News@Example.COM")
        #expect(id == MessageID.make(idempotencyKey: "send:1:2", sender: "other@example.com"))
        #expect(id != MessageID.make(idempotencyKey: "send:1:3", sender: "news@example.com"))
        #expect(id.range(of: #"^<[0-9a-f]{32}\.herald@example\.com>$"#, options: .regularExpression) != nil)
        #expect(MessageID.make(idempotencyKey: "k", sender: "nobody").hasSuffix(".herald@herald.invalid>"))
    }

    @Test func listUnsubscribeFollowsRFC8058() {
        let headers = ListUnsubscribe(url: "https://h.example/u/T").headers
        #expect(headers.map(\.name) == ["List-Unsubscribe", "List-Unsubscribe-Post"])
        #expect(headers.map(\.value) == ["<https://h.example/u/T>", "List-Unsubscribe=One-Click"])
    }

    /// Pieces random bodies are made of: line breaks of every kind, dots and `=` where they matter, long words,
    /// trailing spaces, non-ASCII, and the boundary's own prefix.
    static let pieces = [
        "a", "word", " ", "  ", "\t", "\n", "\r\n", "\r", ".", "..", "=", "=_herald_", "--", "é", "😀", "日本",
        String(repeating: "x", count: 90), "https://h.example/r/abc?t=Zx-9", "From ", "\u{1}", "\u{7F}",
    ]

    static func randomText(_ seed: Int) -> String {
        var random = SplitMix64(seed: UInt64(seed))
        let count = Int.random(in: 0...60, using: &random)
        return (0..<count).map { _ in pieces.randomElement(using: &random)! }.joined()
    }

    @Test func bodiesRoundTripThroughQuotedPrintableWithinLineLimits() async {
        await propertyCheck(count: 400, input: Gen.int(in: 0...10_000_000)) { seed in
            let text = Self.randomText(seed)
            let html = Self.randomText(seed + 1)
            let bytes = MIMEWriter().write(Self.message(text: text, html: "<p>" + html), date: Self.date)
            let raw = String(decoding: bytes, as: UTF8.self)
            // CRLF everywhere, no line over 998 (76 in the bodies), no line starting with a dot, ASCII only.
            #expect(bytes.allSatisfy { $0 < 128 })
            let lines = raw.components(separatedBy: "\r\n")
            #expect(!lines.dropLast().contains { $0.contains("\n") || $0.contains("\r") }, "\(text.debugDescription)")
            #expect(lines.allSatisfy { $0.utf8.count <= 998 && !$0.hasPrefix(".") })
            guard let parsed = ParsedMail(bytes) else {
                Issue.record("does not parse: \(raw.debugDescription)")
                return
            }
            #expect(parsed.bodyLines.allSatisfy { $0.utf8.count <= 76 }, "\(text.debugDescription)")
            #expect(parsed.parts.count == 2)
            #expect(parsed.parts.first?.body == Self.crlf(text), "\(text.debugDescription)")
            #expect(parsed.parts.last?.body.hasSuffix(Self.crlf(html)) == true)
            // The boundary occurs only as the delimiters.
            let boundary = MIMEWriter.boundary(for: Self.message().messageID)
            #expect(raw.components(separatedBy: boundary).count == 5)
        }
    }

    @Test func quotedPrintableDecodesWhatItEncodes() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...10_000_000)) { seed in
            let text = Self.randomText(seed)
            var encoded: [UInt8] = []
            QuotedPrintable.encode(text, into: &encoded)
            #expect(QuotedPrintable.decode(encoded).map { String(decoding: $0, as: UTF8.self) } == Self.crlf(text))
        }
    }

    /// The encoder copies runs of literal bytes at once: whatever the text, each encoded line is at most 76 octets,
    /// ASCII, never starts with a dot, and decoding gives back the text (line breaks as CRLF).
    @Test func quotedPrintableLinesStayWithinLimitsAndDecodeBack() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...10_000_000)) { seed in
            let text = Self.randomText(seed) + Self.randomText(seed + 7)
            var encoded: [UInt8] = []
            QuotedPrintable.encode(text, into: &encoded)
            #expect(encoded.allSatisfy { $0 < 128 })
            let lines = String(decoding: encoded, as: UTF8.self).components(separatedBy: "\r\n")
            #expect(lines.allSatisfy { $0.utf8.count <= 76 && !$0.hasPrefix(".") && !$0.contains("\n") && !$0.contains("\r") })
            #expect(QuotedPrintable.decode(encoded).map { String(decoding: $0, as: UTF8.self) } == Self.crlf(text))
        }
    }

    /// The preheader is spliced in as bytes: just after a `<body …>` tag in any ASCII case (or first when there is
    /// none), once, whatever surrounds it.
    @Test func thePreheaderGoesJustInsideTheBodyTagWhateverItsCase() async {
        await propertyCheck(count: 200, input: Gen.int(in: 0...10_000_000)) { seed in
            var random = SplitMix64(seed: UInt64(seed))
            let before = Self.randomText(seed).replacingOccurrences(of: "<", with: "")
            let tag = ["<body>", "<BODY class=\"x\">", "<Body\n>", ""].randomElement(using: &random)!
            let after = Self.randomText(seed + 3)
            let preheader = ["Free returns", "Sale & <more>", "été 😀"].randomElement(using: &random)!
            let html = before + tag + after
            let hidden = "<div style=\"display:none;max-height:0;overflow:hidden\">\(HTMLEscaping.escape(preheader))</div>"
            let expected = tag.isEmpty ? hidden + html : before + tag + hidden + after
            #expect(MIMEWriterTestsSupport.withPreheader(html, preheader) == Self.crlf(expected), "\(html.debugDescription)")
        }
    }

    @Test func quotedPrintableRefusesBadEscapes() {
        #expect(QuotedPrintable.decode(Array("a=4".utf8)) == nil)
        #expect(QuotedPrintable.decode(Array("a=ZZb".utf8)) == nil)
        #expect(QuotedPrintable.decode(Array("a=3Db=\r\nc".utf8)) == Array("a=bc".utf8))
    }

    static func crlf(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
    }
}

/// The writer's internal preheader step, reached through a message (it is not public).
enum MIMEWriterTestsSupport {
    static func withPreheader(_ html: String, _ preheader: String) -> String {
        let message = MailMessage(from: "a@b.c", to: "d@e.f", subject: "s", preheader: preheader, text: "t", html: html, messageID: "<x@b.c>")
        return ParsedMail(MIMEWriter().write(message, date: Date(timeIntervalSince1970: 0)))?.parts.last?.body ?? ""
    }
}

/// A small independent reader of what the writer writes: headers (unfolded), and the parts with their
/// quoted-printable bodies decoded.
struct ParsedMail {
    struct Part {
        var type: String
        var body: String
    }

    var headers: [(String, String)] = []
    var rawHeaderLines: [String] = []
    var parts: [Part] = []
    var bodyLines: [String] = []

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    init?(_ bytes: [UInt8]) {
        let raw = String(decoding: bytes, as: UTF8.self)
        guard let split = raw.range(of: "\r\n\r\n") else { return nil }
        (headers, rawHeaderLines) = Self.headers(String(raw[..<split.lowerBound]))
        let body = String(raw[split.upperBound...])
        bodyLines = body.components(separatedBy: "\r\n")
        let type = headers.first { $0.0 == "Content-Type" }?.1 ?? ""
        if type.hasPrefix("multipart/alternative") {
            guard let start = type.range(of: "boundary=\"")?.upperBound, let end = type[start...].firstIndex(of: "\"") else { return nil }
            let boundary = String(type[start..<end])
            let sections = ("\r\n" + body).components(separatedBy: "\r\n--" + boundary)
            guard sections.count >= 3, sections.last?.hasPrefix("--") == true else { return nil }
            for section in sections.dropFirst().dropLast() {
                guard section.hasPrefix("\r\n"), let gap = section.range(of: "\r\n\r\n") else { return nil }
                let (partHeaders, _) = Self.headers(String(section.dropFirst()[..<gap.lowerBound]))
                guard partHeaders.contains(where: { $0 == ("Content-Transfer-Encoding", "quoted-printable") }),
                    let decoded = QuotedPrintable.decode(Array(section[gap.upperBound...].utf8))
                else { return nil }
                parts.append(Part(type: partHeaders.first { $0.0 == "Content-Type" }?.1 ?? "", body: String(decoding: decoded, as: UTF8.self)))
            }
        } else {
            guard let decoded = QuotedPrintable.decode(Array(body.utf8)) else { return nil }
            parts = [Part(type: type, body: String(decoding: decoded, as: UTF8.self))]
        }
    }

    static func headers(_ block: String) -> ([(String, String)], [String]) {
        var headers: [(String, String)] = []
        let lines = block.components(separatedBy: "\r\n")
        for line in lines {
            if line.hasPrefix(" ") || line.hasPrefix("\t"), let last = headers.popLast() {
                headers.append((last.0, last.1 + line))
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
            }
        }
        return (headers, lines)
    }
}

/// Decodes RFC 2047 `B` words (UTF-8) in a header value; the whitespace between adjacent words is dropped.
enum EncodedWordDecoder {
    static func decode(_ value: String) -> String {
        var output = ""
        var rest = Substring(value)
        var lastWasWord = false
        while let start = rest.range(of: "=?UTF-8?B?") {
            let between = rest[..<start.lowerBound]
            if !(lastWasWord && between.allSatisfy(\.isWhitespace)) { output += between }
            guard let end = rest[start.upperBound...].range(of: "?=") else { break }
            let data = Data(base64Encoded: String(rest[start.upperBound..<end.lowerBound])) ?? Data()
            output += String(decoding: data, as: UTF8.self)
            rest = rest[end.upperBound...]
            lastWasWord = true
        }
        return output + rest
    }
}
