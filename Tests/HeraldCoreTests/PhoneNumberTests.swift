import Foundation
import HeraldCore
import Testing

struct PhoneNumberTests {
    @Test(arguments: [
        ("+49 30 1234567", "+49301234567"), ("(+1) 415-555-0100", "+14155550100"), ("0049 30 1234567", "+49301234567"),
        ("+44 (0)20 7946 0018", "+442079460018"), ("+33.1.23.45.67.89", "+33123456789"),
    ])
    func normalisesToE164(text: String, e164: String) throws {
        #expect(try PhoneNumber(parsing: text).e164 == e164.replacingOccurrences(of: " ", with: ""))
    }

    @Test func aNumberWithoutCountryCodeSaysToAddOne() {
        #expect {
            try PhoneNumber(parsing: "030 1234567")
        } throws: { error in
            let reason = (error as? ValidationError)?.reason ?? ""
            return reason.contains("no country code") && reason.contains("+49 30 1234567")
        }
    }

    @Test(arguments: ["+49 30 12a4567", "+0 30 1234567", "+12345", "+1234567890123456", "+49+30", ""])
    func refusesNonsense(text: String) {
        #expect(throws: ValidationError.self) { try PhoneNumber(parsing: text) }
    }
}
