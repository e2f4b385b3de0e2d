import ArgumentParser
import Foundation
import HeraldCore
import Storage

/// `herald contacts import|list|export|erase|consent`.
struct ContactsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contacts",
        abstract: "Import, list, export and erase contacts; change their consent.",
        subcommands: [Import.self, List.self, Export.self, Erase.self, Consent.self]
    )

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load contacts from CSV: all rows or none, merged with existing contacts by address.",
            discussion: """
                Header row: email,phone,name,time_zone,consent (any order; email or phone required, the rest optional) \
                and any further columns, which become attributes (segments match on them).
                Emails are normalised (the domain lower-cased and internationalised domains as Punycode), phones \
                written as E.164 (+49 30 1234567 or 0049 30 1234567; a national number without country code is \
                refused), time_zone is an IANA zone (Europe/Berlin), consent is subscribed, unsubscribed, bounced or \
                complained (default subscribed for a new contact). A repeated address merges into one contact.
                Any bad row writes nothing; every bad row is named by its line.
                """
        )
        @OptionGroup var options: CommonOptions
        @Argument(help: "The CSV file.") var file: String
        @Option(help: "Add every imported contact to this list (created when missing).") var list: String?
        @Flag(help: "Print JSON: {\"rows\", \"inserted\", \"updated\", \"skipped\"}.") var json = false

        func run() async throws {
            let url = URL(fileURLWithPath: file)
            guard FileManager.default.isReadableFile(atPath: url.path) else {
                throw HeraldCore.ValidationError(location: file, field: "", reason: "cannot read the file (does it exist?)")
            }
            let secrets = try options.configuration().secrets()
            let showProgress = !json && Terminal.isInteractive
            let list = list
            let result = try await options.session().run { database, workspace in
                try await ContactStore(database, secrets: secrets).importCSV(
                    workspace: workspace,
                    file: url,
                    list: list,
                    progress: { fraction in if showProgress { Terminal.progress("importing", fraction) } }
                )
            }
            if showProgress { Terminal.progress("importing", 1) }
            if json {
                print(try Terminal.json(result, pretty: false))
            } else {
                print(
                    "read \(Terminal.grouped(result.rows)) rows: \(Terminal.grouped(result.inserted)) new, "
                        + "\(Terminal.grouped(result.updated)) updated, \(Terminal.grouped(result.skipped)) merged duplicates"
                        + (list.map { " (list \"\($0)\")" } ?? "")
                )
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List contacts, in id order.",
            discussion: "Example: herald contacts list --list newsletter --where plan=pro --time-zone Europe/Berlin"
        )
        @OptionGroup var options: CommonOptions
        @Option(help: "Only contacts on this list.") var list: String?
        @Option(name: .customLong("where"), help: "Only contacts whose attribute has this value: name=value (repeatable).")
        var conditions: [String] = []
        @Option(help: "Only contacts in this IANA time zone.") var timeZone: String?
        @Option(help: "At most this many.") var limit = 1_000
        @Option(help: "Start after this contact id (paging).") var after: String?
        @Flag(help: "Print JSON: [{\"id\", \"email\", \"phone\", \"name\", \"time_zone\", \"attributes\", \"consent\", ...}].") var json = false

        func run() async throws {
            let segment = try Segment(conditions: conditions, timeZone: timeZone)
            let after = try after.map { text throws(HeraldCore.ValidationError) in
                guard let id = UUID(uuidString: text) else {
                    throw HeraldCore.ValidationError(field: "--after", reason: "\"\(text)\" is not a contact id")
                }
                return id
            }
            guard limit > 0 else { throw HeraldCore.ValidationError(field: "--limit", reason: "must be at least 1") }
            let secrets = try options.configuration().secrets()
            let (list, limit) = (list, limit)
            let contacts = try await options.session().run { database, workspace in
                var listID: UUID?
                if let list { listID = try await ContactListStore(database).list(workspace: workspace, named: list).id }
                return try await ContactStore(database, secrets: secrets).contacts(
                    workspace: workspace,
                    list: listID,
                    segment: segment.isEmpty ? nil : segment,
                    after: after,
                    limit: limit
                )
            }
            if json {
                print(try Terminal.json(contacts))
                return
            }
            for contact in contacts {
                let attributes = contact.attributes.keys.sorted().map { "\($0)=\(contact.attributes[$0]!)" }.joined(separator: " ")
                print(
                    [contact.email ?? contact.phone ?? "", contact.consent.rawValue, contact.name ?? "", contact.timeZone ?? "", attributes]
                        .joined(separator: "\t")
                )
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print everything held about a person as JSON: the contact, lists, consent history, messages and events."
        )
        @OptionGroup var options: CommonOptions
        @Argument(help: "The person's email address or phone number.") var address: String

        func run() async throws {
            let address = try ContactAddress(parsing: address)
            let secrets = try options.configuration().secrets()
            let export = try await options.session().run { database, workspace in
                try await ContactStore(database, secrets: secrets).export(workspace: workspace, address: address)
            }
            print(try Terminal.json(export))
        }
    }

    struct Erase: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Erase a person: their contact, consent history and list memberships.",
            discussion: """
                Messages sent to them stay only as anonymous counts. If the address was unsubscribed, bounced or \
                complained, its suppression stays (as a keyed digest, not the address), so it is never written to again.
                """
        )
        @OptionGroup var options: CommonOptions
        @Argument(help: "The person's email address or phone number.") var address: String
        @Flag(help: "Print JSON: what was removed and kept.") var json = false

        func run() async throws {
            let address = try ContactAddress(parsing: address)
            let secrets = try options.configuration().secrets()
            let erasure = try await options.session().run { database, workspace in
                try await ContactStore(database, secrets: secrets).erase(workspace: workspace, address: address)
            }
            if json {
                print(try Terminal.json(erasure, pretty: false))
                return
            }
            print(
                "erased \(address): \(erasure.consentChanges) consent changes and \(erasure.listMemberships) list memberships deleted, "
                    + "\(erasure.messagesAnonymized) messages kept anonymous"
                    + (erasure.suppressionKept ? "; the address stays suppressed" : "")
            )
        }
    }

    struct Consent: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a contact's consent: subscribed, unsubscribed, bounced or complained.",
            discussion: "Any state but subscribed suppresses the address in every campaign; subscribed lifts that."
        )
        @OptionGroup var options: CommonOptions
        @Argument(help: "The contact's email address or phone number.") var address: String
        @Argument(help: "subscribed, unsubscribed, bounced or complained.") var state: String
        @Option(help: "Evidence to record with the change (never an IP address).") var detail: String?

        func run() async throws {
            let address = try ContactAddress(parsing: address)
            let state = try ConsentState(parsing: state, field: "state")
            let secrets = try options.configuration().secrets()
            let detail = detail
            try await options.session().run { database, workspace in
                let store = ContactStore(database, secrets: secrets)
                guard let contact = try await store.contact(workspace: workspace, address: address) else {
                    throw NotFoundError(kind: "contact", id: address.normalized)
                }
                try await store.setConsent(workspace: workspace, contact: contact.id, state: state, source: "cli", detail: detail)
            }
            print("\(address): \(state)")
        }
    }
}
