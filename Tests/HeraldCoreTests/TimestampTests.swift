import Foundation
import HeraldCore
import PropertyBased
import Testing

struct TimestampTests {
    @Test func parsesOffsetsAndFractions() throws {
        #expect(try Timestamp.parse("2026-03-01T09:30:00Z") == Date(timeIntervalSince1970: 1_772_357_400))
        #expect(try Timestamp.parse("2026-03-01T10:30:00+01:00") == Date(timeIntervalSince1970: 1_772_357_400))
        #expect(try Timestamp.parse("2026-03-01 04:00:00-0530") == Date(timeIntervalSince1970: 1_772_357_400))
        #expect(try Timestamp.parse("2026-03-01T09:30:00.250Z").timeIntervalSince1970 == 1_772_357_400.25)
        #expect(try Timestamp.parse("2024-02-29T00:00Z") == Date(timeIntervalSince1970: 1_709_164_800))
    }

    @Test(arguments: [
        "2026-03-01T09:30:00", "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "yesterday", "2026-03-01", "2026-03-01T25:00:00Z",
        "2026-03-01T09:30:00Zjunk",
    ])
    func refusesAmbiguousOrInvalid(text: String) {
        #expect(throws: ValidationError.self) { try Timestamp.parse(text) }
    }

    @Test func formatAndParseRoundTripAndAgreeWithFoundation() async {
        let formatter = ISO8601DateFormatter()
        await propertyCheck(input: Gen.int(in: -2_000_000_000...4_000_000_000), Gen.int(in: 0...999)) { seconds, millis in
            let date = Date(timeIntervalSince1970: Double(seconds) + Double(millis) / 1000)
            let text = Timestamp.format(date)
            let parsed = try? Timestamp.parse(text)
            #expect(parsed.map { abs($0.timeIntervalSince1970 - date.timeIntervalSince1970) < 1e-6 } == true, "\(text)")
            let whole = Date(timeIntervalSince1970: Double(seconds))
            #expect(Timestamp.format(whole) == formatter.string(from: whole))
        }
    }
}
