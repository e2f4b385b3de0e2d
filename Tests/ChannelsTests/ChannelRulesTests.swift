import Channels
import Foundation
import HeraldCore
import Testing

@Suite struct ChannelRulesTests {
    @Test func xCountsLinksAs23AndWideCharactersAsTwo() {
        let link = "https://example.com/a/very/long/path/that/is/much/longer/than/twenty-three"
        #expect(ChannelRules.weightedLength("Go \(link)") == 3 + 23)
        #expect(ChannelRules.weightedLength("日本") == 4)
        #expect(ChannelRules.weightedLength("👨‍👩‍👧‍👦") == 2)
        #expect(ChannelRules.weightedLength("café") == 4)
        let x = ChannelRules.standard(for: .x)
        #expect(x.check(String(repeating: "a", count: 280)).isValid)
        let tooLong = x.check(String(repeating: "a", count: 281))
        #expect(!tooLong.isValid)
        #expect(tooLong.violations.first?.message == "is 281 weighted characters; x allows at most 280")
        // 257 letters + space + a link of 23 = 281.
        #expect(!x.check(String(repeating: "a", count: 257) + " " + link).isValid)
        #expect(x.check(String(repeating: "a", count: 256) + " " + link).isValid)
    }

    @Test func instagramLimitsHashtagsAndWarnsAboutLinks() {
        let rules = ChannelRules.standard(for: .instagram)
        let tags = (1...31).map { "#tag\($0)" }.joined(separator: " ")
        let check = rules.check("Nice shoes \(tags)")
        #expect(check.hashtags == 31)
        #expect(check.violations.map(\.code) == [.tooManyHashtags])
        #expect(rules.check("See https://example.com").warnings.contains { $0.contains("not clickable") })
        #expect(!rules.check(String(repeating: "x", count: 2_201)).isValid)
    }

    @Test func emailSubjectWarnsPast60AndRefusesPast78OrLineBreaks() {
        let rules = ChannelRules.standard(for: .email)
        #expect(rules.check(String(repeating: "s", count: 60)).warnings.isEmpty)
        let long = rules.check(String(repeating: "s", count: 61))
        #expect(long.isValid && long.warnings.count == 1)
        #expect(!rules.check(String(repeating: "s", count: 79)).isValid)
        #expect(rules.check("two\nlines").violations.map(\.code) == [.lineBreak])
    }

    @Test func smsSegmentsFollowTheEncoding() {
        #expect(SMSEncoding.of("Hello there, 20% off!") == .gsm7)
        #expect(SMSEncoding.of("Hello 😊") == .ucs2)
        #expect(SMSEncoding.gsm7.measure(String(repeating: "a", count: 160)) == (160, 1))
        #expect(SMSEncoding.gsm7.measure(String(repeating: "a", count: 161)) == (161, 2))
        #expect(SMSEncoding.gsm7.measure(String(repeating: "a", count: 306)) == (306, 2))
        #expect(SMSEncoding.gsm7.measure(String(repeating: "a", count: 307)) == (307, 3))
        // Extension characters take two septets.
        #expect(SMSEncoding.gsm7.measure("€[]") == (6, 1))
        #expect(SMSEncoding.ucs2.measure(String(repeating: "é😊", count: 23)) == (69, 1))
        #expect(SMSEncoding.ucs2.measure(String(repeating: "ы", count: 71)) == (71, 2))
        let rules = ChannelRules.standard(for: .sms)
        let two = rules.check(String(repeating: "a", count: 200))
        #expect(two.isValid && two.segments == 2 && two.encoding == .gsm7)
        #expect(two.warnings.contains { $0.contains("2 SMS segments") })
        let four = rules.check(String(repeating: "😊", count: 120))
        #expect(!four.isValid && four.segments == 4 && four.encoding == .ucs2)
    }

    @Test func emptyTextIsRefusedEverywhere() {
        for channel in Channel.allCases {
            #expect(!ChannelRules.standard(for: channel).check("  ").isValid)
        }
    }
}
