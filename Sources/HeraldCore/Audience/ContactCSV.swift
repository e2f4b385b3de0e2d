import Foundation

/// Reads contacts from CSV with a header row: `email,phone,name,time_zone,consent` (any order; at least one of
/// `email` and `phone`; the others optional) and any further columns, which become attributes.
///
/// Every row is checked and every bad row named by its line, as the events import does (`contacts.csv:17: email: …`).
/// The file may be given whole (``parse(bytes:source:maximumErrors:)``) or a chunk at a time (``Reader``), so a file
/// of millions of rows is read with flat memory.
public enum ContactCSV {
    /// The columns Herald knows; any other column is an attribute.
    public static let knownColumns = ["email", "phone", "name", "time_zone", "consent"]

    /// Parses and checks a whole file; refuses it if any row is bad.
    ///
    /// - Throws: ``ValidationErrors`` listing bad rows by line, or naming a header problem.
    public static func parse(bytes: [UInt8], source: String, maximumErrors: Int = 20) throws(ValidationErrors) -> [ContactInput] {
        var reader = Reader(source: source, expectedSize: bytes.count, maximumErrors: maximumErrors)
        reader.append(bytes)
        reader.finish()
        var contacts: [ContactInput] = []
        while let contact = reader.next() { contacts.append(contact) }
        if let errors = reader.errors { throw errors }
        return contacts
    }

    /// Reads a contacts file given a chunk at a time.
    ///
    /// ``next()`` hands out checked rows until the chunks given so far are used up; ``append(_:)`` the next chunk,
    /// ``finish()`` at the end. Once a row is bad, reading goes on (so every bad row is named) but no more rows are
    /// handed out; ``errors`` then holds them. A problem with the header ends reading.
    public struct Reader {
        private var reader: CSVReader
        private let source: String
        private let maximumErrors: Int
        private var columns: Columns?
        private var headerCount = 0
        private var collected: [ValidationError] = []
        private var errorCount = 0
        private var stopped = false
        /// Zones already checked (checking one is slow enough to matter over a million rows).
        private var zones: [String: Bool] = [:]
        /// How many rows were read, good or bad.
        public private(set) var rows = 0

        /// - Parameters:
        ///   - source: The file's name, for errors.
        ///   - expectedSize: The file's size in bytes, when known, for ``progress``.
        ///   - maximumErrors: How many bad rows to describe before only counting them.
        public init(source: String, expectedSize: Int?, maximumErrors: Int = 20) {
            reader = CSVReader(expectedSize: expectedSize)
            self.source = source
            self.maximumErrors = maximumErrors
        }

        /// Adds the next chunk of the file.
        public mutating func append(_ chunk: some Sequence<UInt8>) { reader.append(chunk) }

        /// Says the file has ended.
        public mutating func finish() { reader.finish() }

        /// The fraction of the file read so far.
        public var progress: Double { reader.progress }

        /// Whether reading is over: the whole file was given and read, or a problem (with the header, or a quote left
        /// open) makes the rest unreadable.
        public var isAtEnd: Bool { stopped || reader.isAtEnd }

        /// The bad rows found so far (nil when none), with how many in all; a file without rows is an error too once
        /// it has been read to the end.
        public var errors: ValidationErrors? {
            if errorCount > 0 { return ValidationErrors(collected, total: errorCount) }
            if reader.isAtEnd, columns == nil || rows == 0 {
                let reason =
                    columns == nil
                    ? "the file is empty; expected a header row \(knownColumns.joined(separator: ",")) and attribute columns"
                    : "the file has a header but no contacts"
                return ValidationErrors([ValidationError(location: source, field: "", reason: reason)])
            }
            return nil
        }

        /// The next good row while no row has been bad, or `nil` when the chunks given so far are read.
        public mutating func next() -> ContactInput? {
            while !stopped {
                let record: CSVReader.Record
                do {
                    guard let next = try reader.next() else { return nil }
                    record = next
                } catch {
                    note(ContactCSV.relocate(error, source: source))
                    stopped = true  // the rest of the file cannot be split into rows reliably
                    return nil
                }
                guard let columns else {
                    readHeader(record)
                    continue
                }
                rows += 1
                guard record.fields.count == headerCount else {
                    note(
                        ValidationError(
                            location: "\(source):\(record.line)",
                            field: "",
                            reason: "has \(record.fields.count) fields; the header has \(headerCount)"
                        )
                    )
                    continue
                }
                do {
                    let contact = try checked(record, columns: columns)
                    if errorCount == 0 { return contact }
                } catch {
                    note(error.at("\(source):\(record.line)"))
                }
            }
            return nil
        }

        private mutating func checked(_ record: CSVReader.Record, columns: Columns) throws(ValidationError) -> ContactInput {
            func value(_ index: Int?) -> String? {
                guard let index else { return nil }
                let text = record.fields[index].trimmedOfWhitespace
                return text.isEmpty ? nil : text
            }
            let email = try value(columns.email).map { text throws(ValidationError) in try EmailAddress(parsing: text) }
            let phone = try value(columns.phone).map { text throws(ValidationError) in try PhoneNumber(parsing: text) }
            let zone = value(columns.timeZone)
            if let zone {
                if let known = zones[zone] {
                    if !known { try TimeZoneName.check(zone, field: "time_zone") }
                } else {
                    do {
                        try TimeZoneName.check(zone, field: "time_zone")
                        zones[zone] = true
                    } catch {
                        zones[zone] = false
                        throw error
                    }
                }
            }
            var attributes: [String: String] = [:]
            for (name, index) in columns.attributes {
                if let text = value(index) { attributes[name] = text }
            }
            var contact = try ContactInput(
                email: email,
                phone: phone,
                name: value(columns.name),
                timeZone: nil,
                consent: try value(columns.consent).map { text throws(ValidationError) in try ConsentState(parsing: text) },
                attributes: attributes,
                line: record.line
            )
            contact.timeZone = zone  // checked above, once per distinct zone
            return contact
        }

        private mutating func readHeader(_ header: CSVReader.Record) {
            let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
            var columns = Columns()
            for (index, name) in names.enumerated() {
                let known = name.lowercased()
                guard !name.isEmpty else {
                    fail("column \(index + 1) has no name")
                    return
                }
                if names[..<index].contains(where: { $0.lowercased() == known }) {
                    fail("column \"\(name)\" appears twice")
                    return
                }
                switch known {
                case "email": columns.email = index
                case "phone": columns.phone = index
                case "name": columns.name = index
                case "time_zone": columns.timeZone = index
                case "consent": columns.consent = index
                default: columns.attributes.append((name, index))
                }
            }
            guard columns.email != nil || columns.phone != nil else {
                fail("no email or phone column; expected a header row \(knownColumns.joined(separator: ",")) and attribute columns")
                return
            }
            self.columns = columns
            headerCount = names.count
        }

        private mutating func fail(_ reason: String) {
            note(ValidationError(location: "\(source):1", field: "", reason: reason))
            stopped = true
        }

        private mutating func note(_ error: ValidationError) {
            errorCount += 1
            if collected.count < maximumErrors { collected.append(error) }
        }
    }

    private struct Columns {
        var email: Int?
        var phone: Int?
        var name: Int?
        var timeZone: Int?
        var consent: Int?
        var attributes: [(String, Int)] = []
    }

    /// Turns a reader error located at `line N` into one at `source:N`.
    private static func relocate(_ error: ValidationError, source: String) -> ValidationError {
        let line = error.location.hasPrefix("line ") ? String(error.location.dropFirst(5)) : error.location
        return error.at("\(source):\(line)")
    }
}
