import Foundation
import HeraldCore
import Testing

/// The JSON that the HTTP API and the CLI's `--json` both write.
@Suite struct HeraldJSONTests {
    struct Sample: Encodable {
        var at: Date
        var link: String
        var zebra = 1
        var apple = 2
    }

    @Test func datesAreTimestampsKeysSortedAndSlashesKept() throws {
        let sample = Sample(at: Date(timeIntervalSince1970: 1_772_357_400.123), link: "https://example.com/a")
        let text = String(decoding: try JSONEncoder.herald().encode(sample), as: UTF8.self)
        #expect(text == #"{"apple":2,"at":"2026-03-01T09:30:00.123Z","link":"https://example.com/a","zebra":1}"#)
        let whole = String(decoding: try JSONEncoder.herald().encode([Date(timeIntervalSince1970: 1_772_357_400)]), as: UTF8.self)
        #expect(whole == #"["2026-03-01T09:30:00Z"]"#)
    }

    @Test func prettyOutputDiffersOnlyInLayout() throws {
        let sample = Sample(at: Date(timeIntervalSince1970: 1_772_357_400.5), link: "/r/x")
        let compact = try JSONSerialization.jsonObject(with: try JSONEncoder.herald().encode(sample)) as? NSDictionary
        let pretty = try JSONEncoder.herald(pretty: true).encode(sample)
        #expect(String(decoding: pretty, as: UTF8.self).contains("\n"))
        #expect(try JSONSerialization.jsonObject(with: pretty) as? NSDictionary == compact)
    }
}
