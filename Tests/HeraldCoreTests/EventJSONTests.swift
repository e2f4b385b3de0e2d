import Foundation
import HeraldCore
import PropertyBased
import Testing

@Suite struct EventJSONTests {
    static let variant = VariantID(UUID())
    static let policy = EventAcceptancePolicy(now: Date(timeIntervalSince1970: 1_780_000_000))

    static func events(_ text: String, maximumRows: Int = 100) throws -> [EngagementEvent] {
        let rows = try EventJSON.rows(from: Array(text.utf8), maximumRows: maximumRows)
        return try EventJSON.events(rows, policy: policy, isKnownVariant: { $0 == variant })
    }

    @Test func readsArraysAndNDJSON() throws {
        let one =
            #"{"id": "7d9f2a4e-1111-4c1a-9a55-000000000001", "variant_id": "\#(Self.variant)", "kind": "conversion", "occurred_at": "2026-05-01T10:00:00+02:00", "value": 12.5}"#
        let two =
            #"{"id": "7d9f2a4e-1111-4c1a-9a55-000000000002", "variant_id": "\#(Self.variant)", "kind": "click", "occurred_at": "2026-05-01T08:00:00Z", "value": null}"#
        let fromArray = try Self.events("[\(one),\(two)]")
        let fromLines = try Self.events("\(one)\n\n\(two)\n")
        #expect(fromArray == fromLines)
        #expect(fromArray.map(\.kind) == [.conversion, .click])
        #expect(fromArray[0].value == 12.5 && fromArray[1].value == nil)
        #expect(fromArray[0].occurredAt == fromArray[1].occurredAt)
    }

    @Test func everyBadRowIsNamedAndNoEventsComeBack() throws {
        let text = """
            {"id": "not-a-uuid", "variant_id": "\(Self.variant)", "kind": "click", "occurred_at": "2026-05-01T08:00:00Z"}
            {"id": "7d9f2a4e-1111-4c1a-9a55-000000000002", "variant_id": "\(Self.variant)", "kind": "click", "occurred_at": "2026-05-01T08:00:00Z"}
            {"id": "7d9f2a4e-1111-4c1a-9a55-000000000003", "kind": "click", "occurred_at": "2026-05-01T08:00:00Z", "extra": 1}
            [1]
            """
        do {
            _ = try Self.events(text)
            Issue.record("accepted a bad batch")
        } catch let errors as ValidationErrors {
            #expect(
                errors.errors.map(\.description) == [
                    "line 1: id: \"not-a-uuid\" is not a UUID",
                    "line 3: extra: is not a field of an event (fields: id, variant_id, kind, occurred_at, value, publication_id)",
                    "line 3: variant_id: is required",
                    "line 4: is not a JSON object",
                ]
            )
        }
    }

    @Test func tooManyRowsAndUnreadableBodiesAreRefused() throws {
        let row =
            #"{"id": "7d9f2a4e-1111-4c1a-9a55-000000000002", "variant_id": "\#(Self.variant)", "kind": "click", "occurred_at": "2026-05-01T08:00:00Z"}"#
        #expect(throws: EventJSON.TooManyRows(rows: 3, maximum: 2)) { try Self.events("[\(row),\(row),\(row)]", maximumRows: 2) }
        #expect(throws: EventJSON.TooManyRows(rows: 3, maximum: 2)) { try Self.events("\(row)\n\(row)\n\(row)", maximumRows: 2) }
        for body in ["", "   ", "42", "[", "\"x\""] {
            #expect(throws: ValidationErrors.self) { try Self.events(body) }
        }
        #expect(throws: ValidationErrors.self) { try EventJSON.rows(from: [0x5B, 0xC3, 0x28, 0x5D], maximumRows: 10) }
    }

    /// Pieces of JSON (and of broken JSON) that random bodies are made of.
    static let pieces: [[UInt8]] =
        [
            "[", "]", "{", "}", ",", ":", "\n", " ", "\"id\"", "\"variant_id\"", "\"kind\"", "\"occurred_at\"", "\"value\"", "\"click\"",
            "\"2026-05-01T08:00:00Z\"", "\"\(variant)\"", "\"7d9f2a4e-1111-4c1a-9a55-000000000002\"", "1", "-0.5", "1e999", "null", "true", "\"",
        ].map { Array($0.utf8) } + [[0xFF], [0xC3], [0x00]]

    /// Whatever bytes arrive, reading either returns events or throws a typed refusal: never a crash.
    @Test func arbitraryBytesNeverCrashAndNeverHalfSucceed() async {
        let body = Gen.int(in: 0...(Self.pieces.count - 1)).map { Self.pieces[$0] }.array(of: 0...60).map { $0.flatMap { $0 } }
        await propertyCheck(count: 500, input: body) { bytes in
            do {
                let rows = try EventJSON.rows(from: bytes, maximumRows: 50)
                let events = try EventJSON.events(rows, policy: Self.policy, isKnownVariant: { _ in true })
                #expect(events.count == rows.count)
            } catch is ValidationErrors {
            } catch is EventJSON.TooManyRows {
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
    }

    /// Valid events written out and read back are the same events, in arrays and in NDJSON.
    @Test func writtenEventsReadBack() async {
        await propertyCheck(count: 100, input: Gen.int(in: 1...20), Gen.int(in: 0...5), Gen.int(in: 0...1_000_000)) { count, kindIndex, seconds in
            let kinds = EventKind.ingestible
            let events: [EngagementEvent] = (0..<count).map { index in
                let value: Double? = index % 2 == 0 ? Double(index) / 4 : nil
                return EngagementEvent(
                    id: EventID(UUID()),
                    variantID: Self.variant,
                    kind: kinds[(kindIndex + index) % kinds.count],
                    occurredAt: Date(timeIntervalSince1970: 1_770_000_000 + Double(seconds + index)),
                    value: value
                )
            }
            let lines: [String] = events.map { event in
                let value = event.value.map { #", "value": \#($0)"# } ?? ""
                return
                    #"{"id": "\#(event.id)", "variant_id": "\#(event.variantID)", "kind": "\#(event.kind.rawValue)", "occurred_at": "\#(Timestamp.format(event.occurredAt))"\#(value)}"#
            }
            #expect((try? Self.events("[" + lines.joined(separator: ",") + "]")) == events)
            #expect((try? Self.events(lines.joined(separator: "\n"))) == events)
        }
    }
}

@Suite struct TrackingLinkTests {
    @Test func utmParametersReplaceOldOnesAndKeepTheRest() throws {
        let link = try #require(
            TrackingLink.destination("https://shop.example.com/a?ref=1&utm_source=old#top", channel: "instagram", campaign: "spring", variant: "B")
        )
        let components = try #require(URLComponents(string: link))
        #expect(components.fragment == "top")
        #expect(components.queryItems?.map(\.name) == ["ref", "utm_source", "utm_medium", "utm_campaign", "utm_content"])
        #expect(components.queryItems?.first { $0.name == "utm_medium" }?.value == "social")
        #expect(TrackingLink.destination("javascript:alert(1)", channel: "x", campaign: "c", variant: "A") == nil)
        #expect(TrackingLink.destination("/relative", channel: "x", campaign: "c", variant: "A") == nil)
        #expect(TrackingLink.medium(of: "email") == "email")
    }

    @Test func botsAreToldFromPeople() {
        #expect(BotFilter.isBot(userAgent: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"))
        #expect(BotFilter.isBot(userAgent: "facebookexternalhit/1.1"))
        #expect(BotFilter.isBot(userAgent: nil))
        #expect(BotFilter.isBot(userAgent: "  "))
        #expect(!BotFilter.isBot(userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"))
    }

    /// The byte search agrees with plain lower-cased substring search on ASCII agents made of fragments, their
    /// near misses and noise, in any case.
    @Test func botSearchAgreesWithSubstringSearch() {
        var random = SplitMix64(seed: 7)
        let pieces = BotFilter.fragments + BotFilter.fragments.map { String($0.dropLast()) } + ["Mozilla/5.0", " ", "\t", "(X11)", "b", "o", "t"]
        for _ in 0..<5_000 {
            var agent = ""
            for _ in 0..<Int.random(in: 0...5, using: &random) {
                var piece = pieces[Int.random(in: 0..<pieces.count, using: &random)]
                if Bool.random(using: &random) { piece = piece.uppercased() }
                agent += piece
            }
            let lowered = agent.lowercased()
            let expected = agent.trimmingCharacters(in: .whitespaces).isEmpty || BotFilter.fragments.contains { lowered.contains($0) }
            #expect(BotFilter.isBot(userAgent: agent) == expected, "\(agent)")
        }
    }
}
