import Foundation
import Testing

@testable import HeraldCore

/// The test-then-send keys of a campaign's `audience` object, and send windows.
struct TestThenSendTests {
    @Test func readsEveryKeyWithDefaults() throws {
        let full = try TestThenSend(
            audienceJSON:
                #"{"list": "newsletter", "test_share": 0.2, "decide_within": "2d", "decide_every": "90m", "send_window": {"start": "09:00", "end": "18:30"}}"#
        )
        #expect(full.testShare == 0.2)
        #expect(full.decideWithin == 2 * 86_400)
        #expect(full.decideEvery == 90 * 60)
        #expect(full.sendWindow == SendWindow(start: 540, end: 1_110))
        #expect(full.sendWindow?.hours == Array(9...18))
        let bare = try TestThenSend(audienceJSON: #"{"list": "newsletter"}"#)
        #expect(bare == TestThenSend(testShare: nil, decideWithin: 3 * 86_400, decideEvery: 6 * 3_600, sendWindow: nil))
    }

    @Test(
        arguments: [
            (#"{"test_share": 1.5}"#, "audience.test_share: must be a number between 0 and 1 (e.g. 0.2 for 20%)"),
            (#"{"test_share": "20%"}"#, "audience.test_share: must be a number between 0 and 1 (e.g. 0.2 for 20%)"),
            (#"{"decide_within": "3 days"}"#, #"audience.decide_within: "3 days" is not a duration such as 6h, 3d or 90m (units s, m, h, d, w)"#),
            (#"{"decide_every": 6}"#, "audience.decide_every: must be a string"),
            (#"{"decide_every": "0h"}"#, #"audience.decide_every: "0h" is not a duration such as 6h, 3d or 90m (units s, m, h, d, w)"#),
            (#"{"send_window": {"start": "9", "end": "18:00"}}"#, #"audience.send_window.start: "9" is not a local time HH:MM (e.g. 09:00)"#),
            (#"{"send_window": {"start": "09:00"}}"#, #"audience.send_window: needs start and end (e.g. {"start": "09:00", "end": "18:00"})"#),
            (
                #"{"send_window": {"start": "09:00", "end": "09:00"}}"#,
                "audience.send_window: start and end are the same time (09:00); give a window of at least a minute"
            ),
            (#"{"send_window": {"start": "25:00", "end": "09:00"}}"#, #"audience.send_window.start: "25:00" is not a local time HH:MM (e.g. 09:00)"#),
            ("[1]", "audience: is not a JSON object"),
        ] as [(String, String)]
    )
    func badSettingsNameTheKey(json: String, message: String) {
        let error = #expect(throws: ValidationError.self) { try TestThenSend(audienceJSON: json) }
        #expect(error?.description == message)
    }

    @Test func windowsOverMidnightAndToTheEndOfTheDay() throws {
        let night = try SendWindow(start: "22:00", end: "06:00")
        #expect(night.hours == [0, 1, 2, 3, 4, 5, 22, 23])
        #expect(night.contains(minute: 23 * 60 + 59) && !night.contains(minute: 6 * 60))
        let evening = try SendWindow(start: "18:00", end: "24:00")
        #expect(evening.hours == Array(18...23))
        #expect(evening.text == "18:00–24:00")
        let decoded = try JSONDecoder().decode(SendWindow.self, from: Data(#"{"start": "09:30", "end": "11:00"}"#.utf8))
        #expect(decoded.hours == [10])
        #expect(String(decoding: try JSONEncoder().encode(decoded), as: UTF8.self).contains(#""start":"09:30""#))
    }
}
