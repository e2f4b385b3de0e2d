import Connectors
import HeraldCore
import PropertyBased
import Testing

@Suite struct SMTPReplyTests {
    @Test func parsesMultiLineRepliesAndEnhancedCodes() throws {
        let replies = try SMTPReplyParser.parse(
            "220 mx.example ESMTP\r\n250-mx.example\r\n250-PIPELINING\r\n250-AUTH PLAIN LOGIN\r\n250 STARTTLS\r\n550 5.1.1 <x@example.com>: User unknown\r\n354\r\n"
        )
        try #require(replies.map(\.code) == [220, 250, 550, 354])
        #expect(replies[1].lines == ["mx.example", "PIPELINING", "AUTH PLAIN LOGIN", "STARTTLS"])
        #expect(replies[2].enhancedStatus == EnhancedStatusCode(klass: 5, subject: 1, detail: 1))
        #expect(replies[2].description == "550 5.1.1 <x@example.com>: User unknown")
        #expect(replies[0].enhancedStatus == nil)
        #expect(replies[3].lines == [""])
        let capabilities = SMTPCapabilities(ehlo: replies[1])
        #expect(capabilities.pipelining && capabilities.startTLS)
        #expect(capabilities.authMechanisms == ["PLAIN", "LOGIN"])
    }

    @Test func anEnhancedCodeMustMatchTheReplyClass() throws {
        let reply = try #require(try SMTPReplyParser.parse("250 5.1.1 odd\n").first)
        #expect(reply.enhancedStatus == nil)
        #expect(EnhancedStatusCode(prefixOf: "4.7.1000 too long") == nil)
        #expect(EnhancedStatusCode(prefixOf: "2.0.0") == EnhancedStatusCode(klass: 2, subject: 0, detail: 0))
    }

    @Test func refusesWhatIsNotAReply() {
        #expect(throws: SMTPReplyError.self) { try SMTPReplyParser.parse("hello\r\n") }
        #expect(throws: SMTPReplyError.self) { try SMTPReplyParser.parse("250x\r\n") }
        #expect(throws: SMTPReplyError.self) { try SMTPReplyParser.parse("650 no\r\n") }
        #expect(throws: SMTPReplyError.self) { try SMTPReplyParser.parse("250-a\r\n251 b\r\n") }
        #expect(throws: SMTPReplyError.self) { try SMTPReplyParser.parse("250-a\r\n") }
    }

    @Test func whatIsWrittenParsesBack() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...10_000_000)) { seed in
            var random = SplitMix64(seed: UInt64(seed))
            var text = ""
            var expected: [SMTPReply] = []
            for _ in 0..<Int.random(in: 1...5, using: &random) {
                let code = Int.random(in: 200...599, using: &random)
                let lines = (0..<Int.random(in: 1...4, using: &random)).map { _ in
                    String((0..<Int.random(in: 0...20, using: &random)).map { _ in "ab -.5=:<>@".randomElement(using: &random)! })
                }
                for (index, line) in lines.enumerated() {
                    text += "\(code)\(index == lines.count - 1 ? " " : "-")\(line)" + (Bool.random(using: &random) ? "\r\n" : "\n")
                }
                expected.append(SMTPReply(code: code, lines: lines))
            }
            #expect((try? SMTPReplyParser.parse(text)) == expected, "\(text.debugDescription)")
        }
    }
}

@Suite struct SMTPOutcomeTests {
    static func error(_ stage: SMTPError.Stage, _ reason: SMTPError.Reason) -> SMTPError {
        SMTPError(stage, reason, server: "mx:25")
    }

    @Test func classifiesByReplyAndStage() {
        let unknownUser = SMTPReply(code: 550, lines: ["5.1.1 User unknown"])
        let busy = SMTPReply(code: 451, lines: ["4.3.0 try later"])
        #expect(SMTPOutcome.kind(of: Self.error(.rcptTo, .reply(unknownUser))) == .rejectedContent)
        // A refusal of the sender or the message is not a bounce: nobody's address is suppressed for it.
        #expect(SMTPOutcome.kind(of: Self.error(.endOfData, .reply(SMTPReply(code: 554, lines: ["5.7.1 spam"])))) == .auth)
        #expect(SMTPOutcome.kind(of: Self.error(.rcptTo, .reply(SMTPReply(code: 550, lines: ["5.7.1 Relaying denied"])))) == .auth)
        #expect(SMTPOutcome.kind(of: Self.error(.rcptTo, .reply(SMTPReply(code: 554, lines: ["Email address is not verified"])))) == .auth)
        #expect(SMTPOutcome.kind(of: Self.error(.rcptTo, .reply(SMTPReply(code: 550, lines: ["5.2.1 mailbox disabled"])))) == .rejectedContent)
        #expect(SMTPOutcome.kind(of: Self.error(.rcptTo, .reply(SMTPReply(code: 550, lines: ["no such user"])))) == .rejectedContent)
        #expect(SMTPOutcome.kind(of: Self.error(.rcptTo, .reply(busy))) == .transient)
        #expect(SMTPOutcome.kind(of: Self.error(.mailFrom, .reply(busy))) == .transient)
        #expect(SMTPOutcome.kind(of: Self.error(.auth, .reply(SMTPReply(code: 535, lines: ["5.7.8 bad credentials"])))) == .auth)
        #expect(SMTPOutcome.kind(of: Self.error(.mailFrom, .reply(SMTPReply(code: 553, lines: ["sender refused"])))) == .auth)
        #expect(SMTPOutcome.kind(of: Self.error(.startTLS, .unsupported("no STARTTLS"))) == .auth)
        #expect(SMTPOutcome.kind(of: Self.error(.greeting, .timeout)) == .transient)
        #expect(SMTPOutcome.kind(of: Self.error(.data, .connectionLost("reset"))) == .transient)
        #expect(SMTPOutcome.kind(of: Self.error(.endOfData, .timeout)) == .unknownOutcome)
        #expect(SMTPOutcome.kind(of: Self.error(.endOfData, .connectionLost("reset"))) == .unknownOutcome)
        let classified = SMTPOutcome.connectorError(Self.error(.rcptTo, .reply(unknownUser)))
        #expect(classified.status == 550)
        #expect(classified.message == "mx:25 answered rcpt to with 550 5.1.1 User unknown")
    }

    @Test func aRefusalLeavesTheConnectionUsableButSilenceDoesNot() {
        #expect(Self.error(.rcptTo, .reply(SMTPReply(code: 550, lines: []))).leavesConnectionUsable)
        #expect(!Self.error(.rcptTo, .reply(SMTPReply(code: 421, lines: []))).leavesConnectionUsable)
        #expect(!Self.error(.rcptTo, .timeout).leavesConnectionUsable)
    }
}
