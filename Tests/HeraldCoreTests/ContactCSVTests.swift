import Foundation
import HeraldCore
import Testing

struct ContactCSVTests {
    func parse(_ text: String) throws(ValidationErrors) -> [ContactInput] {
        try ContactCSV.parse(bytes: Array(text.utf8), source: "contacts.csv")
    }

    @Test func readsKnownColumnsAndAttributes() throws {
        let contacts = try parse(
            """
            email,phone,name,time_zone,consent,plan,City
            Jana@Bücher.Example,+49 30 1234567,Jana Novák,Europe/Berlin,subscribed,pro,Berlin
            ,0044 20 7946 0018,,,unsubscribed,,
            """
        )
        #expect(contacts.count == 2)
        #expect(contacts[0].email?.normalized == "Jana@xn--bcher-kva.example")
        #expect(contacts[0].phone?.e164 == "+49301234567")
        #expect(contacts[0].name == "Jana Novák" && contacts[0].timeZone == "Europe/Berlin" && contacts[0].consent == .subscribed)
        #expect(contacts[0].attributes == ["plan": "pro", "City": "Berlin"])
        #expect(contacts[0].line == 2)
        #expect(contacts[1].email == nil && contacts[1].phone?.e164 == "+442079460018" && contacts[1].consent == .unsubscribed)
        #expect(contacts[1].attributes.isEmpty && contacts[1].line == 3)
    }

    @Test func everyBadRowIsNamedByItsLine() {
        #expect {
            try parse(
                """
                email,phone,time_zone,consent
                ok@example.com,,,
                broken,,,
                ,030 1234567,,
                x@example.com,,Mars/Olympus,
                y@example.com,,,maybe
                ,,,
                z@example.com,,
                """
            )
        } throws: { error in
            let lines = (error as? ValidationErrors)?.errors.map(\.description) ?? []
            return lines.count == 6
                && lines[0].hasPrefix("contacts.csv:3: email: \"broken\"")
                && lines[1].hasPrefix("contacts.csv:4: phone:") && lines[1].contains("country code")
                && lines[2].hasPrefix("contacts.csv:5: time_zone:")
                && lines[3].hasPrefix("contacts.csv:6: consent:")
                && lines[4] == "contacts.csv:7: email: a contact needs an email or a phone"
                && lines[5] == "contacts.csv:8: has 3 fields; the header has 4"
        }
    }

    @Test func headerProblems() {
        #expect { try parse("name,plan\nJana,pro\n") } throws: { "\($0)".contains("contacts.csv:1: no email or phone column") }
        #expect { try parse("email,Email\n") } throws: { "\($0)".contains("appears twice") }
        #expect { try parse("") } throws: { "\($0)".contains("the file is empty") }
        #expect { try parse("email\n") } throws: { "\($0)".contains("no contacts") }
    }
}
