import Foundation
import PropertyBased
import Testing

@testable import HeraldCore

@Suite struct FlatEventReaderTests {
    static let id = "7d9f2a4e-1111-4c1a-9a55-000000000002"

    /// The general path's rows, or nil when it refuses the body.
    static func decoded(_ bytes: [UInt8]) -> [EventJSON.Row]? {
        guard let first = bytes.first(where: { !EventJSON.isWhitespace($0) }) else { return nil }
        return try? EventJSON.decodedRows(from: bytes, first: first, maximumRows: 1_000)
    }

    @Test func readsTheCommonShapeAsTheGeneralPathDoes() throws {
        let row = #"{"id": "\#(Self.id)", "variant_id": "\#(Self.id)", "kind": "click", "occurred_at": "2026-05-01T08:00:00Z", "value": -12.5e1}"#
        let bodies = [
            "[\(row), \(row)]", "[]", " [ \(row) ] ", "\(row)\n\n\(row)\r\n", row, "\n \n\(row)", " \r\n\(row)\n\n",
            #"[{"value": null, "occurred_at": "x", "kind": "k", "variant_id": "v", "id": "i"}]"#,
        ]
        for body in bodies {
            let fast = try #require(FlatEventReader.rows(Array(body.utf8)), "\(body)")
            #expect(fast == Self.decoded(Array(body.utf8)), "\(body)")
        }
        #expect(FlatEventReader.rows(Array("[\(row)]".utf8))?.first?.value == -125)
    }

    @Test func leavesEverythingElseToTheGeneralPath() {
        let bodies = [
            #"[{"id": "a\"b", "variant_id": "v", "kind": "k", "occurred_at": "t"}]"#,  // escape
            #"[{"id": "a", "variant_id": "v", "kind": "k"}]"#,  // missing field
            #"[{"id": "a", "variant_id": "v", "kind": "k", "occurred_at": "t", "extra": 1}]"#,  // unknown field
            #"[{"id": "a", "id": "b", "variant_id": "v", "kind": "k", "occurred_at": "t"}]"#,  // repeated field
            #"[{"id": 1, "variant_id": "v", "kind": "k", "occurred_at": "t"}]"#,  // wrong type
            #"[{"id": "a", "variant_id": "v", "kind": "k", "occurred_at": "t", "value": 1e999}]"#,  // not finite
            #"[{"id": "a", "variant_id": "v", "kind": "k", "occurred_at": "t", "value": 01}]"#,  // not JSON
            #"[{"id": "a", "variant_id": "v", "kind": "k", "occurred_at": "t"},]"#,  // trailing comma
            #"[{"id": "a", "variant_id": "v", "kind": "k", "occurred_at": "t"}] x"#,  // trailing text
            "{\"id\": \"a\",\n\"variant_id\": \"v\", \"kind\": \"k\", \"occurred_at\": \"t\"}",  // one object over two lines
            "[{}]", "[1]", "{", "",
        ]
        for body in bodies {
            #expect(FlatEventReader.rows(Array(body.utf8)) == nil, "\(body)")
        }
    }

    /// Pieces of JSON and broken JSON that random bodies are made of.
    static let pieces: [String] = [
        "[", "]", "{", "}", ",", ":", "\n", " ", "\r", "\"id\"", "\"variant_id\"", "\"kind\"", "\"occurred_at\"", "\"value\"",
        "\"click\"", "\"2026-05-01T08:00:00Z\"", "\"\(id)\"", "1", "-0.5", "2e3", "1e999", "01", "null", "true", "\"", "\\",
        #"{"id": "a", "variant_id": "b", "kind": "c", "occurred_at": "d"}"#,
        #"{"id": "a", "variant_id": "b", "kind": "c", "occurred_at": "d", "value": 3}"#,
        "0e5", "-0.0e-3", "0.00E04", "1e-400", "0.0e5.3", "00e1", "\"0e5\"",
    ]

    /// Whenever the fast reader accepts a body, the general path reads the very same rows from it.
    @Test func agreesWithTheGeneralPathOnAnyBody() async {
        let body = Gen.int(in: 0...(Self.pieces.count - 1)).map { Self.pieces[$0] }.array(of: 0...30).map { $0.joined() }
        await propertyCheck(count: 3_000, input: body) { text in
            let bytes = Array(text.utf8)
            if let fast = FlatEventReader.rows(bytes) {
                #expect(fast == Self.decoded(bytes), "\(text)")
            }
        }
        // Bodies built to be of the simple shape are accepted, in both forms.
        let rows = Gen.int(in: 26...27).map { Self.pieces[$0] }.array(of: 1...20)
        await propertyCheck(count: 300, input: rows) { objects in
            for text in ["[" + objects.joined(separator: ",") + "]", objects.joined(separator: "\n")] {
                let fast = FlatEventReader.rows(Array(text.utf8))
                #expect(fast != nil && fast == Self.decoded(Array(text.utf8)), "\(text)")
            }
        }
    }

    /// RFC 8259 allows a zero written with an exponent, and a number too small for a Double, and both read as zero.
    /// swift-foundation's `JSONDecoder` calls such a body invalid (the fuzzer found `-0.0e-3`, which the fast reader
    /// took): both paths now read them, as zero.
    @Test func zerosWithAnExponentAreReadOnBothPaths() throws {
        for number in ["-0.0e-3", "0e5", "0.00E04", "-0E+7", "1e-400", "-5E-430"] {
            let row = #"{"id": "a", "variant_id": "b", "kind": "click", "occurred_at": "2026-03-09T09:30:00Z", "value": \#(number)}"#
            for body in ["[\(row)]", row] {
                let fast = try #require(FlatEventReader.rows(Array(body.utf8)), "\(body)")
                #expect(fast == Self.decoded(Array(body.utf8)), "\(body)")
                #expect(fast.first?.value == 0, "\(body)")
                #expect(fast.first?.value?.sign == (number.hasPrefix("-") ? .minus : .plus), "\(body)")
            }
            // An escape sends the body down the general path alone, which reads the number too.
            let escaped = #"[{"id": "a\u0062", "variant_id": "b", "kind": "click", "occurred_at": "t", "value": \#(number)}]"#
            #expect(FlatEventReader.rows(Array(escaped.utf8)) == nil)
            let rows = try EventJSON.rows(from: Array(escaped.utf8), maximumRows: 10)
            #expect(rows.first?.id == "ab" && rows.first?.value == 0 && rows.first?.problems == [], "\(escaped)")
        }
    }

    /// The rewriting of zeros changes only whole numbers of the grammar, outside strings, into the same value.
    @Test func onlyWholeZeroNumbersOutsideStringsAreRewritten() {
        func rewritten(_ text: String) -> String? {
            JSONNumber.zerosWrittenPlainly(Array(text.utf8)).map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(
            rewritten(#"[0e5, -0.0e-3, 1e-400,0.0E1, 0, -0, 0.5e1, "0e5", "a\"0e5"]"#)
                == #"[0  , -0     , 0     ,0    , 0, -0, 0.5e1, "0e5", "a\"0e5"]"#
        )
        #expect(rewritten("[0, 0.0, -0.00]") == "[0, 0  , -0   ]")
        // Not numbers of the grammar, so never made into JSON: a second fraction, leading zeros, a bare exponent.
        for text in ["[0.0e5.3]", "[00e1]", "[0.e1]", "[-]", "[0e]", "[0e5e5]", "[.0e5]", "[+0e5]"] {
            #expect(rewritten(text) == nil, "\(text)")
        }
        // A string left open ends with its line: the next line's strings stay strings.
        let open = "{\"id\": \"a\\\n" + #"{"id": "b", "variant_id": "c", "kind": "0e5", "occurred_at": "-0.0e-3", "value": 0e5}"#
        #expect(rewritten(open) == "{\"id\": \"a\\\n" + #"{"id": "b", "variant_id": "c", "kind": "0e5", "occurred_at": "-0.0e-3", "value": 0  }"#)
        let lines = Self.decoded(Array(open.utf8))
        #expect(lines?.count == 2 && lines?[1].kind == "0e5" && lines?[1].occurredAt == "-0.0e-3" && lines?[1].value == 0)
        let broken = Self.decoded(Array(#"[{"id": "a", "variant_id": "b", "kind": "c", "occurred_at": "d", "value": 0.0e5.3}]"#.utf8))
        #expect(broken?.first?.problems.map(\.field) == ["value"])
    }
}
