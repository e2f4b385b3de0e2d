import Foundation
import HeraldCore
import PropertyBased
import Testing

struct EventCSVTests {
    let variant = VariantID(UUID())
    let policy = EventAcceptancePolicy(now: Date(timeIntervalSince1970: 1_780_000_000))

    func parse(_ text: String) throws(ValidationErrors) -> [EngagementEvent] {
        let known = variant
        return try EventCSV.parse(bytes: Array(text.utf8), source: "events.csv", policy: policy, isKnownVariant: { $0 == known })
    }

    func row(_ kind: String = "click", time: String = "2026-03-01T09:30:00Z", value: String = "", variant: String? = nil) -> String {
        "\(UUID().uuidString),\(variant ?? self.variant.description),\(kind),\(time),\(value)"
    }

    @Test func readsValidRowsInAnyColumnOrder() throws {
        let events = try parse("id,variant_id,kind,occurred_at,value\n\(row("impression"))\n\(row("conversion", value: "19.90"))\n")
        #expect(events.map(\.kind) == [.impression, .conversion])
        #expect(events[1].value == 19.9)
        let reordered = try parse("kind,occurred_at,variant_id,id\nclick,2026-03-01T09:30:00Z,\(variant),\(UUID())\n")
        #expect(reordered.count == 1)
    }

    @Test func everyBadRowIsNamedByLineAndNothingIsReturned() {
        var lines = ["id,variant_id,kind,occurred_at,value"]
        for _ in 2...16 { lines.append(row()) }
        lines.append(row("clik"))  // line 17
        lines.append(row(time: "2026-03-01T09:30:00"))  // line 18
        lines.append(row(variant: UUID().uuidString))  // line 19
        lines.append(row(value: "NaN"))  // line 20
        lines.append("not-a-uuid,\(variant),click,2026-03-01T09:30:00Z,")  // line 21
        lines.append("\(UUID()),\(variant),click")  // line 22
        lines.append(row(time: "2031-01-01T00:00:00Z"))  // line 23: years away
        #expect {
            try parse(lines.joined(separator: "\n"))
        } throws: { error in
            let text = "\(error)"
            let expected = [
                "events.csv:17: kind: \"clik\" is not one of impression, click",
                "events.csv:18: occurred_at:", "events.csv:19: variant_id:", "events.csv:20: value: \"NaN\" is not a finite number",
                "events.csv:21: id: \"not-a-uuid\" is not a UUID", "events.csv:22: has 3 fields", "events.csv:23: occurred_at:",
            ]
            for line in expected where !text.contains(line) { Issue.record("missing \(line) in \(text)") }
            return (error as? ValidationErrors)?.total == 7
        }
    }

    @Test(arguments: [
        ("", "events.csv: the file is empty"),
        ("id,variant_id,kind\n", "events.csv:1: missing column occurred_at"),
        ("id,variant_id,kind,occurred_at,extra\n", "events.csv:1: unknown column \"extra\""),
    ])
    func headerProblemsAreNamed(text: String, message: String) {
        #expect {
            try parse(text)
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test func chunksOfAnySizeReadTheSameEventsInOrder() async {
        let known = variant
        let lines = ["id,variant_id,kind,occurred_at,value"] + (0..<300).map { index in row(index % 3 == 0 ? "click" : "impression") }
        let bytes = Array((lines.joined(separator: "\n") + "\n").utf8)
        let whole = try! EventCSV.parse(bytes: bytes, source: "events.csv", policy: policy, isKnownVariant: { $0 == known })
        #expect(whole.count == 300)
        await propertyCheck(input: Gen.int(in: 1...400)) { limit in
            var reader = try! EventCSV.Reader(bytes: bytes, source: "events.csv", policy: policy, isKnownVariant: { $0 == known })
            var read: [EngagementEvent] = []
            while let chunk = try! reader.next(upTo: limit) {
                #expect(!chunk.isEmpty && chunk.count <= limit)
                read += chunk
            }
            #expect(read == whole)
        }
    }

    @Test func aChunkedReadStopsHandingOutEventsAtTheFirstBadRowAndNamesEveryBadRowAtTheEnd() {
        let known = variant
        var lines = ["id,variant_id,kind,occurred_at,value"] + (0..<50).map { _ in row() }
        lines[25] = row("clik")  // line 26
        lines[40] = row(value: "x")  // line 41
        var reader = try! EventCSV.Reader(
            bytes: Array(lines.joined(separator: "\n").utf8),
            source: "events.csv",
            policy: policy,
            isKnownVariant: { $0 == known }
        )
        var handedOut = 0
        #expect {
            while let chunk = try reader.next(upTo: 10) { handedOut += chunk.count }
        } throws: { error in
            let errors = (error as? ValidationErrors)?.errors.map(\.location)
            return errors == ["events.csv:26", "events.csv:41"]
        }
        #expect(handedOut == 24)  // the rows before line 26; none after it
    }
}
