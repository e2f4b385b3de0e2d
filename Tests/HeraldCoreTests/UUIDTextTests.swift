import Foundation
import HeraldCore
import PropertyBased
import Testing

@Suite struct UUIDTextTests {
    @Test func readsWhatFoundationWritesInEitherCase() async {
        await propertyCheck(count: 500, input: Gen.int(in: 0...1)) { _ in
            let uuid = UUID()
            #expect(UUIDText.parse(uuid.uuidString) == uuid)
            #expect(UUIDText.parse(uuid.uuidString.lowercased()) == uuid)
            #expect(UUIDText.parse(Substring(uuid.uuidString.lowercased())) == uuid)
        }
    }

    /// Whatever the text, it agrees with Foundation's parser on which strings are UUIDs and what they are.
    @Test func agreesWithFoundationOnAnyText() async {
        let alphabet = Array("0123456789abcdefABCDEFgx-{} ")
        let text = Gen.int(in: 0...(alphabet.count - 1)).map { alphabet[$0] }.string(of: 30...40)
        await propertyCheck(count: 2_000, input: text) { candidate in
            #expect(UUIDText.parse(candidate) == UUID(uuidString: candidate), "\(candidate)")
        }
        for candidate in [
            "", "not-a-uuid", "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5", "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5bb", "0190a1b2c3d47e5f8a9b0c1d2e3f4a5b",
            "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5g", "0190a1b2+c3d4-7e5f-8a9b-0c1d2e3f4a5b",
        ] {
            #expect(UUIDText.parse(candidate) == nil)
        }
    }
}
