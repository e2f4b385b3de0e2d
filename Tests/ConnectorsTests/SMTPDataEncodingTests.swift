import Connectors
import NIOCore
import Testing

@Suite struct SMTPDataEncodingTests {
    static func encoded(_ text: String) -> String {
        var buffer = ByteBuffer()
        SMTPDataEncoding.write(Array(text.utf8), into: &buffer)
        return String(buffer: buffer)
    }

    @Test func stuffsLeadingDotsAndEndsWithTheDotLine() {
        #expect(Self.encoded("a\r\n.b\r\n..\r\n") == "a\r\n..b\r\n...\r\n.\r\n")
        #expect(Self.encoded(".start") == "..start\r\n.\r\n")
        #expect(Self.encoded("plain\r\n") == "plain\r\n.\r\n")
        #expect(Self.encoded("") == "\r\n.\r\n")
    }
}

@Suite struct SMTPRateLimitTests {
    @Test func spacesMessagesAfterTheBurst() async throws {
        let limit = SMTPRateLimit(perSecond: 50, burst: 5)
        let start = ContinuousClock.now
        // The burst goes at once: each of the five may go without waiting, however slowly this machine runs.
        for index in 0..<5 { #expect(await limit.tryAcquire(), "message \(index + 1) of the burst had to wait") }
        for _ in 0..<10 { try await limit.acquire() }
        // Ten more at 50/s take at least 10 × 20 ms, less the one interval the burst left.
        #expect(ContinuousClock.now - start >= .milliseconds(180))
    }
}
