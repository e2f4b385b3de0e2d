import EmbeddedPostgres
import Foundation
import HeraldTestSupport
import Testing

struct ContactsCommandTests {
    func object(_ output: ProcessOutput) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any], "\(output.standardOutput)")
    }

    func array(_ output: ProcessOutput) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [[String: Any]], "\(output.standardOutput)")
    }

    @Test func importListConsentExportAndEraseEndToEnd() async throws {
        let fixture = try await CLIFixture.make()
        let path = try fixture.write(
            "contacts.csv",
            """
            email,phone,name,time_zone,consent,plan
            Jana@Bücher.Example,+49 30 1234567,Jana,Europe/Berlin,,pro
            tom@example.com,,Tom,America/New_York,,free
            Jana@BÜCHER.example,,,,,pro
            """
        )
        let imported = try await fixture.run("contacts", "import", path, "--list", "newsletter")
        #expect(imported.succeeded, "\(imported.standardError)")
        #expect(imported.standardOutput == "read 3 rows: 2 new, 0 updated, 1 merged duplicates (list \"newsletter\")\n")
        let again = try await fixture.run("contacts", "import", path, "--json")
        #expect(try object(again)["updated"] as? Int == 2)

        let all = try array(try await fixture.run("contacts", "list", "--list", "newsletter", "--json"))
        #expect(Set(all.compactMap { $0["email"] as? String }) == ["Jana@xn--bcher-kva.example", "tom@example.com"])
        let pro = try await fixture.run("contacts", "list", "--where", "plan=pro", "--time-zone", "Europe/Berlin")
        #expect(pro.standardOutput == "Jana@xn--bcher-kva.example\tsubscribed\tJana\tEurope/Berlin\tplan=pro\n", "\(pro.standardError)")

        #expect(try await fixture.run("lists", "create", "VIP").standardOutput == "created list \"VIP\"\n")
        let duplicate = try await fixture.run("lists", "create", "VIP")
        #expect(duplicate.status != 0 && duplicate.standardError == "herald: a list named \"VIP\" already exists\n")
        let lists = try array(try await fixture.run("lists", "list", "--json"))
        #expect(lists.map { "\($0["name"]!):\($0["members"]!)" } == ["VIP:0", "newsletter:2"])

        let consent = try await fixture.run("contacts", "consent", "tom@EXAMPLE.com", "unsubscribed", "--detail", "asked by phone")
        #expect(consent.standardOutput == "tom@example.com: unsubscribed\n", "\(consent.standardError)")
        let export = try object(try await fixture.run("contacts", "export", "tom@example.com"))
        #expect((export["contact"] as? [String: Any])?["consent"] as? String == "unsubscribed")
        #expect((export["consent_history"] as? [[String: Any]])?.last?["detail"] as? String == "asked by phone")
        #expect(export["lists"] as? [String] == ["newsletter"] && export["suppressed"] as? Bool == true)

        let erased = try await fixture.run("contacts", "erase", "tom@example.com")
        #expect(
            erased.standardOutput
                == "erased tom@example.com: 2 consent changes and 1 list memberships deleted, 0 messages kept anonymous; the address stays suppressed\n",
            "\(erased.standardError)"
        )
        let missing = try await fixture.run("contacts", "export", "tom@example.com")
        #expect(missing.status != 0 && missing.standardError == "herald: contact \"tom@example.com\" not found\n")
        let names = try await fixture.run("contacts", "list")
        #expect(!names.standardOutput.contains("tom@example.com"))
    }

    @Test func aBadFileWritesNothingAndErrorsAreOneLineEach() async throws {
        let fixture = try await CLIFixture.make()
        let path = try fixture.write("contacts.csv", "email,phone\nok@example.com,\nbroken,\n,030 1234567\n")
        let failed = try await fixture.run("contacts", "import", path)
        #expect(failed.status != 0)
        let lines = failed.standardError.split(separator: "\n")
        #expect(lines.count == 2, "\(failed.standardError)")
        #expect(lines.first?.hasPrefix("herald: contacts.csv:3: email: \"broken\" is not an email address") == true)
        #expect(lines.last?.hasPrefix("herald: contacts.csv:4: phone:") == true && lines.last?.contains("country code") == true)
        #expect(try await fixture.run("contacts", "list").standardOutput.isEmpty)

        for arguments in [
            ["contacts", "consent", "ok@example.com", "maybe"], ["contacts", "export", "not-an-address"], ["contacts", "import", "missing.csv"],
            ["contacts", "list", "--where", "plan"], ["contacts", "list", "--time-zone", "Mars/Olympus"],
        ] {
            let output = try await fixture.run(arguments)
            #expect(output.status != 0, "\(arguments)")
            #expect(
                output.standardError.hasPrefix("herald: ") && output.standardError.split(separator: "\n").count == 1,
                "\(arguments): \(output.standardError)"
            )
        }
        for command in [["contacts"], ["contacts", "import"], ["contacts", "erase"], ["lists"], ["lists", "create"]] {
            let help = try await fixture.run(command + ["--help"])
            #expect(help.succeeded && help.standardOutput.contains("USAGE"), "\(command)")
        }
    }
}
