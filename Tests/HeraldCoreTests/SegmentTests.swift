import Foundation
import HeraldCore
import Testing

struct SegmentTests {
    @Test func parsesJSONAndCommandLineAlike() throws {
        let json = try Segment(json: Array(#"{"attribute": {"plan": "pro"}, "time_zone": "Europe/Berlin"}"#.utf8))
        let flags = try Segment(conditions: ["plan=pro"], timeZone: "Europe/Berlin")
        #expect(json == flags)
        #expect(json.attributes == ["plan": "pro"] && json.timeZone == "Europe/Berlin")
        #expect(try Segment(json: Array("{}".utf8)).isEmpty)
        #expect(try Segment(conditions: ["a=b=c"], timeZone: nil).attributes == ["a": "b=c"])
    }

    @Test func refusesUnknownZonesAndMalformedConditions() {
        #expect { try Segment(conditions: [], timeZone: "Mars/Olympus") } throws: { "\($0)".contains("not an IANA time zone") }
        #expect { try Segment(conditions: ["plan"], timeZone: nil) } throws: { "\($0)".contains("name=value") }
        #expect { try Segment(json: Array(#"{"attribute": {"plan": 1}}"#.utf8)) } throws: { "\($0)".contains("string values") }
        #expect { try Segment(json: Array(#"{"time_zone": "Nowhere"}"#.utf8)) } throws: { "\($0)".contains("Nowhere") }
    }

    @Test func consentStates() throws {
        #expect(try ConsentState(parsing: " Unsubscribed ") == .unsubscribed)
        #expect(ConsentState.allCases.filter(\.isSuppressed) == [.unsubscribed, .bounced, .complained])
        #expect { try ConsentState(parsing: "maybe") } throws: { "\($0)".contains("subscribed, unsubscribed, bounced, complained") }
    }
}
