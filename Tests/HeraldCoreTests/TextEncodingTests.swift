import Foundation
import PropertyBased
import Testing

@testable import HeraldCore

/// Base64url: every byte string has one spelling, and that spelling is the only one read back.
@Suite struct TextEncodingTests {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

    @Test func bytesRoundTripAndOtherSpellingsOfTheLastCharacterAreRefused() async {
        let bytes = Gen.int(in: 0...255).map { UInt8($0) }.array(of: 0...40)
        await propertyCheck(count: 2_000, input: bytes) { bytes in
            let text = TextEncoding.base64URL(bytes)
            #expect(!text.contains("=") && !text.contains("+") && !text.contains("/"))
            #expect(TextEncoding.bytes(base64URL: text) == bytes, "\(text)")
            // With padding, as some clients write it.
            let padded = text + String(repeating: "=", count: (4 - text.count % 4) % 4)
            #expect(TextEncoding.bytes(base64URL: padded) == bytes, "\(padded)")
            // The bits of the last character past the data: 4 after one byte of a group, 2 after two, none after three.
            let spare = [0, 4, 2][bytes.count % 3]
            guard spare > 0, let last = text.last, let index = Self.alphabet.firstIndex(of: last) else { return }
            #expect(index & ((1 << spare) - 1) == 0, "\(text)")
            for bits in 1..<(1 << spare) {
                let respelled = String(text.dropLast()) + String(Self.alphabet[index | bits])
                #expect(Data(base64Encoded: Self.standard(respelled)).map(Array.init) == bytes, "Foundation reads \(respelled) as the same bytes")
                #expect(TextEncoding.bytes(base64URL: respelled) == nil, "\(respelled) for \(text)")
            }
        }
    }

    @Test func textThatIsNotBase64URLIsRefused() {
        for text in ["A", "AB=C", "A+B/", "ab cd", "AAAAA", "=AAA"] {
            #expect(TextEncoding.bytes(base64URL: text) == nil, "\(text)")
        }
        #expect(TextEncoding.bytes(base64URL: "") == [])
    }

    static func standard(_ text: String) -> String {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return base64
    }
}
