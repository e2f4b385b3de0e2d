import Foundation
import HeraldCore
import HeraldTestSupport
import PostgresNIO
import Testing

@testable import Storage

struct ContactStoreTests {
    static let secrets = try! SecretBox(base64: SecretBox.generateKey(), source: "a test key")

    /// A fresh database with workspace `acme`, its contact store, and a folder for files.
    struct Fixture {
        let database: Database
        let workspace: WorkspaceID
        let store: ContactStore
        let folder: URL

        /// Writes a CSV file and imports it.
        func importCSV(_ text: String, name: String = "contacts.csv", list: String? = "newsletter") async throws -> ContactImportResult {
            let file = folder.appendingPathComponent(name)
            try text.write(to: file, atomically: true, encoding: .utf8)
            return try await store.importCSV(workspace: workspace, file: file, list: list)
        }

        func listID(_ name: String = "newsletter") async throws -> UUID {
            try await ContactListStore(database).list(workspace: workspace, named: name).id
        }

        func audience(_ segment: Segment? = nil, after: UUID? = nil, limit: Int = 100) async throws -> [AudienceMember] {
            try await store.audience(workspace: workspace, list: try await listID(), segment: segment, after: after, limit: limit)
        }

        func count(_ table: String) async throws -> Int {
            let rows = try await database.client.query(PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \(table)"), logger: database.logger)
            for try await count in rows.decode(Int.self) { return count }
            return -1
        }
    }

    func withFixture(_ body: (Fixture) async throws -> Void) async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "acme")
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herald-contacts-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            try await body(Fixture(database: database, workspace: workspace, store: ContactStore(database, secrets: Self.secrets), folder: folder))
        }
    }

    @Test func importMergesDuplicatesWithinTheFileAndWithExistingContacts() async throws {
        try await withFixture { fixture in
            let first = try await fixture.importCSV(
                """
                email,phone,name,time_zone,consent,plan
                jana@Bücher.Example,+49 30 1234567,Jana,Europe/Berlin,,free
                ,0044 20 7946 0018,Tom,,,
                jana@bücher.example,,Jana Novák,,,pro
                """
            )
            #expect(first == ContactImportResult(rows: 3, inserted: 2, updated: 0, skipped: 1))
            let jana = try #require(
                try await fixture.store.contact(workspace: fixture.workspace, address: .init(parsing: "JANA@BÜCHER.EXAMPLE".lowercased()))
            )
            #expect(jana.email == "jana@xn--bcher-kva.example" && jana.phone == "+49301234567")
            #expect(jana.name == "Jana Novák" && jana.timeZone == "Europe/Berlin" && jana.attributes == ["plan": "pro"])
            #expect(jana.consent == .subscribed)

            let second = try await fixture.importCSV(
                """
                email,phone,consent,city
                jana@bücher.example,,unsubscribed,Prague
                ,+44 20 7946 0018,,London
                new@example.com,,,
                """
            )
            #expect(second == ContactImportResult(rows: 3, inserted: 1, updated: 2, skipped: 0))
            let updated = try #require(try await fixture.store.contact(workspace: fixture.workspace, address: .init(parsing: "jana@bücher.example")))
            #expect(updated.name == "Jana Novák" && updated.attributes == ["plan": "pro", "city": "Prague"] && updated.consent == .unsubscribed)
            let tom = try #require(try await fixture.store.contact(workspace: fixture.workspace, address: .init(parsing: "+442079460018")))
            #expect(tom.name == "Tom" && tom.attributes == ["city": "London"])
            #expect(try await fixture.count("contacts") == 3)
            // New contacts' consent and the stated change, each from the import.
            #expect(try await fixture.count("consent_changes WHERE source = 'import'") == 4)
            #expect(try await fixture.store.isSuppressed(workspace: fixture.workspace, address: .init(parsing: "jana@bücher.example")))
            let lists = try await ContactListStore(fixture.database).lists(workspace: fixture.workspace)
            #expect(lists.map(\.name) == ["newsletter"] && lists.map(\.members) == [3])
        }
    }

    @Test func aBadRowWritesNothingAndEveryBadRowIsNamed() async throws {
        try await withFixture { fixture in
            do {
                _ = try await fixture.importCSV("email,time_zone\nok@example.com,UTC\nbad,UTC\nfine@example.com,Nowhere/Land\n")
                Issue.record("a file with bad rows was imported")
            } catch let errors as ValidationErrors {
                let lines = errors.errors.map(\.description)
                #expect(lines.count == 2 && lines[0].hasPrefix("contacts.csv:3: email:") && lines[1].hasPrefix("contacts.csv:4: time_zone:"))
            }
            #expect(try await fixture.count("contacts") == 0)
            #expect(try await fixture.count("contact_lists") == 0)
        }
    }

    @Test func aPhoneOfAnotherContactIsRefusedByLine() async throws {
        try await withFixture { fixture in
            _ = try await fixture.importCSV("email,phone\na@example.com,+49 30 1234567\n")
            await #expect {
                try await fixture.importCSV(
                    "email,phone\nb@example.com,+4930 1234567\nc@example.com,+1 415 555 0100\nd@example.com,+1 415 555 0100\n"
                )
            } throws: { error in
                let lines = (error as? ValidationErrors)?.errors.map(\.description) ?? []
                return lines.count == 2 && lines[0].hasPrefix("contacts.csv:2: phone: +49301234567 is already the phone of another contact")
                    && lines[1].hasPrefix("contacts.csv:4: phone: +14155550100 is also the phone of another address")
            }
            #expect(try await fixture.count("contacts") == 1)
        }
    }

    @Test func audienceTakesSubscribedContactsOfTheListBySegmentInPages() async throws {
        try await withFixture { fixture in
            _ = try await fixture.importCSV(
                """
                email,time_zone,plan,consent
                a@example.com,Europe/Berlin,pro,
                b@example.com,America/New_York,pro,
                c@example.com,Europe/Berlin,free,
                d@example.com,Europe/Berlin,pro,bounced
                e@example.com,Europe/Berlin,pro,
                """
            )
            _ = try await fixture.importCSV("email\nother@example.com\n", list: "other")
            #expect(try await fixture.audience().count == 4)
            let berlinPro = try await fixture.audience(Segment(attributes: ["plan": "pro"], timeZone: "Europe/Berlin"))
            #expect(Set(berlinPro.compactMap(\.email)) == ["a@example.com", "e@example.com"])
            var paged: [AudienceMember] = []
            var after: UUID?
            while true {
                let page = try await fixture.audience(after: after, limit: 3)
                paged += page
                guard page.count == 3 else { break }
                after = page.last?.id
            }
            #expect(paged.map(\.id) == (try await fixture.audience()).map(\.id))
        }
    }

    @Test func aSuppressedAddressNeverReturnsToAnAudienceEvenAfterEraseAndReimport() async throws {
        try await withFixture { fixture in
            _ = try await fixture.importCSV("email,phone\nkeep@example.com,\ngone@example.com,+49 30 7654321\n")
            let gone = try #require(try await fixture.store.contact(workspace: fixture.workspace, address: .init(parsing: "gone@example.com")))
            try await fixture.store.setConsent(workspace: fixture.workspace, contact: gone.id, state: .bounced, source: "bounce", detail: "550 5.1.1")
            #expect(try await fixture.audience().compactMap(\.email) == ["keep@example.com"])
            #expect(try await fixture.count("suppressed_addresses WHERE reason = 'bounced'") == 2)

            let erasure = try await fixture.store.erase(workspace: fixture.workspace, address: .init(parsing: "gone@example.com"))
            #expect(erasure.suppressionKept && erasure.consentChanges == 2 && erasure.listMemberships == 1)
            // Imported again as subscribed, by email alone or by phone alone: still suppressed by digest.
            _ = try await fixture.importCSV("email,phone,consent\ngone@example.com,,subscribed\n,0049 30 7654321,subscribed\n")
            #expect(try await fixture.audience().compactMap(\.email) == ["keep@example.com"])
            #expect(try await fixture.audience().count == 1)
            #expect(try await fixture.store.isSuppressed(workspace: fixture.workspace, address: .init(parsing: "gone@example.com")))
            #expect(try await fixture.store.isSuppressed(workspace: fixture.workspace, address: .init(parsing: "+49307654321")))
            #expect(!(try await fixture.store.isSuppressed(workspace: fixture.workspace, address: .init(parsing: "keep@example.com"))))

            // A person opting in again (not an import) lifts it.
            let back = try #require(try await fixture.store.contact(workspace: fixture.workspace, address: .init(parsing: "gone@example.com")))
            try await fixture.store.setConsent(workspace: fixture.workspace, contact: back.id, state: .subscribed, source: "api", detail: nil)
            #expect(try await fixture.audience().compactMap(\.email).sorted() == ["gone@example.com", "keep@example.com"])
        }
    }

    @Test func digestsDifferPerWorkspaceAndNeverHoldTheAddress() async throws {
        let digester = AddressDigester(secrets: Self.secrets)
        let one = WorkspaceID(UUID())
        let two = WorkspaceID(UUID())
        #expect(digester.digest("a@example.com", workspace: one) == digester.digest("a@example.com", workspace: one))
        #expect(digester.digest("a@example.com", workspace: one) != digester.digest("a@example.com", workspace: two))
        #expect(digester.digest("a@example.com", workspace: one).count == 32)
        let other = AddressDigester(secrets: try SecretBox(base64: SecretBox.generateKey(), source: "another key"))
        #expect(other.digest("a@example.com", workspace: one) != digester.digest("a@example.com", workspace: one))
    }

    /// A campaign with one message to `contact` and an open and a click on it.
    func sendMessage(to contact: UUID, fixture: Fixture, error: String? = nil) async throws -> UUID {
        let campaign = try await CampaignStore(fixture.database, workspace: fixture.workspace).create(
            try CampaignSpec(
                name: "Mail \(UUID().uuidString.prefix(6))",
                channels: [.x],
                variants: [.init(key: "A", text: "one"), .init(key: "B", text: "two")]
            )
        )
        let variant = campaign.variants[0].id.uuid
        let message = UUID()
        try await fixture.database.client.execute(
            """
            INSERT INTO messages (id, workspace_id, campaign_id, variant_id, contact_id, channel, phase, state, send_at, idempotency_key, sent_at, error)
            VALUES (\(message), \(fixture.workspace.uuid), \(campaign.id.uuid), \(variant), \(contact), 'email', 'all', 'sent', now(),
                    \("key-\(message)"), now(), \(error))
            """,
            logger: fixture.database.logger
        )
        let now = Date()
        try await PartitionManager(fixture.database).ensure(covering: [now])
        for kind in ["open", "click"] {
            try await fixture.database.client.execute(
                """
                INSERT INTO events (id, workspace_id, campaign_id, variant_id, kind, occurred_at, message_id)
                VALUES (\(UUID()), \(fixture.workspace.uuid), \(campaign.id.uuid), \(variant), \(kind), \(now), \(message))
                """,
                logger: fixture.database.logger
            )
        }
        return message
    }

    @Test func exportGivesEverythingHeldAsJSON() async throws {
        try await withFixture { fixture in
            _ = try await fixture.importCSV("email,name,plan\njana@example.com,Jana,pro\n")
            let jana = try #require(try await fixture.store.contact(workspace: fixture.workspace, address: .init(parsing: "jana@example.com")))
            let message = try await sendMessage(to: jana.id, fixture: fixture)
            try await fixture.store.setConsent(workspace: fixture.workspace, contact: jana.id, state: .unsubscribed, source: "one_click", detail: nil)
            let export = try await fixture.store.export(workspace: fixture.workspace, address: .init(parsing: "jana@example.com"))
            #expect(export.contact.email == "jana@example.com" && export.contact.name == "Jana" && export.contact.consent == .unsubscribed)
            #expect(export.lists == ["newsletter"])
            #expect(export.consentHistory.map(\.state) == [.subscribed, .unsubscribed])
            #expect(export.consentHistory.map(\.source) == ["import", "one_click"])
            #expect(export.messages.map(\.id) == [message] && export.messages[0].variant == "A")
            #expect(export.events.map(\.kind).sorted() == ["click", "open"] && export.suppressed)
            let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder.herald().encode(export)) as? [String: Any])
            #expect(Set(json.keys) == ["contact", "lists", "consent_history", "messages", "events", "suppressed"])
            #expect((json["contact"] as? [String: Any])?["attributes"] as? [String: String] == ["plan": "pro"])
            await #expect(throws: NotFoundError.self) {
                try await fixture.store.export(workspace: fixture.workspace, address: .init(parsing: "nobody@example.com"))
            }
        }
    }

    @Test func eraseLeavesNoPersonalDataInAnyTable() async throws {
        try await withFixture { fixture in
            _ = try await fixture.importCSV(
                "email,phone,name,time_zone,city\nJana.Erased@Example.org,+49 30 9999999,Jana Erasedóva,Europe/Prague,Brno\nkeep@example.org,,Keep,,\n"
            )
            let jana = try #require(try await fixture.store.contact(workspace: fixture.workspace, address: .init(parsing: "Jana.Erased@example.org")))
            try await fixture.store.setConsent(
                workspace: fixture.workspace,
                contact: jana.id,
                state: .complained,
                source: "complaint",
                detail: "feedback loop"
            )
            _ = try await sendMessage(to: jana.id, fixture: fixture, error: "550 5.1.1 <Jana.Erased@example.org>: mailbox unavailable")
            let keep = try #require(try await fixture.store.contact(workspace: fixture.workspace, address: .init(parsing: "keep@example.org")))
            // Another message's error quoting the address is cleared too.
            _ = try await sendMessage(to: keep.id, fixture: fixture, error: "452 too many recipients incl. jana.erased@example.org")

            let personal = ["Jana.Erased@example.org", "+49309999999", "Jana Erasedóva"]
            for text in personal { #expect(try await DatabaseSearch.tables(containing: text, in: fixture.database).isEmpty == false) }
            let erasure = try await fixture.store.erase(workspace: fixture.workspace, address: .init(parsing: "Jana.Erased@EXAMPLE.org"))
            #expect(erasure.messagesAnonymized == 1 && erasure.eventsKept == 2 && erasure.suppressionKept)
            for text in personal + [jana.id.uuidString.lowercased()] {
                let found = try await DatabaseSearch.tables(containing: text, in: fixture.database)
                #expect(found.isEmpty, "\(text) is still in \(found)")
            }
            // What stays: anonymous counts and the suppression digest.
            #expect(try await fixture.count("messages WHERE contact_id IS NULL") == 1)
            #expect(try await fixture.count("events WHERE message_id IS NOT NULL") == 4)
            #expect(try await fixture.store.isSuppressed(workspace: fixture.workspace, address: .init(parsing: "Jana.Erased@example.org")))
            #expect(try await fixture.store.contact(workspace: fixture.workspace, address: .init(parsing: "keep@example.org")) != nil)
        }
    }

    @Test func listsAreCreatedCountedAndFilledWithinTheirWorkspace() async throws {
        try await withFixture { fixture in
            let lists = ContactListStore(fixture.database)
            let vip = try await lists.create(workspace: fixture.workspace, name: " VIP ")
            #expect(vip.name == "VIP")
            await #expect(throws: ConflictError.self) { try await lists.create(workspace: fixture.workspace, name: "VIP") }
            await #expect(throws: ValidationError.self) { try await lists.create(workspace: fixture.workspace, name: "  ") }
            _ = try await fixture.importCSV("email\na@example.com\nb@example.com\n")
            let contacts = try await fixture.store.contacts(workspace: fixture.workspace, list: nil, segment: nil, after: nil, limit: 10)
            #expect(try await lists.add(workspace: fixture.workspace, list: vip.id, contacts: contacts.map(\.id)) == 2)
            #expect(try await lists.add(workspace: fixture.workspace, list: vip.id, contacts: contacts.map(\.id)) == 0)
            #expect(try await lists.list(workspace: fixture.workspace, named: "VIP").members == 2)
            let other = try await WorkspaceStore(fixture.database).ensure(slug: "other")
            await #expect(throws: NotFoundError.self) { try await lists.add(workspace: other, list: vip.id, contacts: contacts.map(\.id)) }
            #expect(try await lists.lists(workspace: other).isEmpty)
            #expect(try await fixture.store.contacts(workspace: other, list: nil, segment: nil, after: nil, limit: 10).isEmpty)
        }
    }
}
