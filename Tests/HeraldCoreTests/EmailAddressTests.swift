import Foundation
import HeraldCore
import PropertyBased
import Testing

struct EmailAddressTests {
    /// RFC 3492 section 7.1 samples and well-known IDN test labels.
    @Test(arguments: [
        ("bücher", "bcher-kva"), ("münchen", "mnchen-3ya"), ("ü", "tda"), ("пример", "e1afmkfd"), ("テスト", "zckzah"),
        ("例え", "r8jz45g"), ("他们为什么不说中文", "ihqwcrb4cv8a8dqg056pqjye"), ("3年B組金八先生", "3B-ww4c5e180e575a65lsy2b"),
        ("安室奈美恵-with-SUPER-MONKEYS", "-with-SUPER-MONKEYS-pc58ag80a8qai00g7n9n"),
        ("なぜみんな日本語を話してくれないのか", "n8jok5ay5dzabd5bym9f0cm5685rrjetr6pdxa"),
        ("Pročprostěnemluvíčesky", "Proprostnemluvesky-uyb24dma41a"),
    ])
    func punycodeMatchesKnownVectors(label: String, encoded: String) {
        #expect(Punycode.encode(label) == encoded)
    }

    @Test(arguments: [
        ("bücher.example", "xn--bcher-kva.example"), ("münchen.de", "xn--mnchen-3ya.de"), ("MÜNCHEN.DE", "xn--mnchen-3ya.de"),
        ("例え.テスト", "xn--r8jz45g.xn--zckzah"), ("Example.COM", "example.com"),
    ])
    func domainsAreLowerCaseASCII(domain: String, ascii: String) throws {
        #expect(try EmailAddress(parsing: "Jana.Novak@\(domain)").normalized == "Jana.Novak@\(ascii)")
    }

    @Test func trimsAndKeepsTheLocalPartAsGiven() throws {
        #expect(try EmailAddress(parsing: "  Jana+News@Example.org \n").normalized == "Jana+News@example.org")
        // A decomposed ü (u and a combining diaeresis) is the same domain as the composed one.
        #expect(try EmailAddress(parsing: "a@bu\u{0308}cher.example").normalized == "a@xn--bcher-kva.example")
    }

    @Test(arguments: [
        ("jana.example.com", "no @"), ("@example.com", "nothing before the @"), ("jana@", "no domain"), ("jana@localhost", "needs a dot"),
        ("jana@exa mple.com", "letters, digits"), ("jana@-bad.com", "inner hyphens"), ("jana@example..com", "empty label"),
        ("ja na@example.com", "space"), ("", "empty"),
    ])
    func refusesWithAReason(text: String, reason: String) {
        #expect {
            try EmailAddress(parsing: text, field: "email")
        } throws: { error in
            let error = error as? ValidationError
            return error?.field == "email" && error?.reason.contains(reason) == true
        }
    }

    /// Normalising is idempotent, the domain comes out lower-case ASCII whatever its case, and the local part is kept.
    @Test func normalisingIsStable() async {
        let localAlphabet = Array("abcXYZ09.+_-")
        let domainAlphabet = Array("abcdeüöäßéЖжテ例-")
        let local = Gen.int(in: 0...(localAlphabet.count - 1)).map { localAlphabet[$0] }.string(of: 1...12)
        let label = Gen.int(in: 0...(domainAlphabet.count - 1)).map { domainAlphabet[$0] }.string(of: 1...10)
        await propertyCheck(count: 1_000, input: local, label, label) { local, first, second in
            let domain = "\(first).\(second)"
            guard let address = try? EmailAddress(parsing: "\(local)@\(domain)") else {
                // Only labels that start or end with a hyphen are refused.
                #expect([first, second].contains { $0.hasPrefix("-") || $0.hasSuffix("-") }, "\(local)@\(domain)")
                return
            }
            #expect(address.normalized.hasPrefix(local + "@"))
            let ascii = address.normalized.split(separator: "@").last.map(String.init) ?? ""
            #expect(ascii.utf8.allSatisfy { $0 < 0x80 } && ascii == ascii.lowercased(), "\(ascii)")
            #expect((try? EmailAddress(parsing: address.normalized))?.normalized == address.normalized)
            // Upper case letters that lower-case back to themselves (not ß, whose upper case is SS) name the same domain.
            let upper = String(domain.map { $0.isASCII || $0.uppercased().lowercased() == String($0) ? Character($0.uppercased()) : $0 })
            #expect((try? EmailAddress(parsing: "\(local)@\(upper)"))?.normalized == address.normalized, "\(upper)")
        }
    }

    /// Punycode output is ASCII, and keeps the label's basic (ASCII) characters in order before the last hyphen.
    @Test func punycodeKeepsBasicCharacters() async {
        let alphabet = Array("abz09-üöЖ例😀")
        let label = Gen.int(in: 0...(alphabet.count - 1)).map { alphabet[$0] }.string(of: 1...20)
        await propertyCheck(count: 1_000, input: label) { label in
            guard let encoded = Punycode.encode(label) else {
                Issue.record("no encoding for \(label)")
                return
            }
            #expect(encoded.unicodeScalars.allSatisfy { $0.isASCII })
            let basic = String(label.unicodeScalars.filter(\.isASCII).map(Character.init))
            if label.unicodeScalars.allSatisfy(\.isASCII) {
                #expect(encoded == basic + "-")
            } else if !basic.isEmpty {
                #expect(encoded.hasPrefix(basic + "-"))
            }
        }
    }
}
