import Foundation

/// Reads engagement events from CSV with a header row: `id,variant_id,kind,occurred_at,value,publication_id`
/// (any column order; `value` and `publication_id` may be absent or empty).
public enum EventCSV {
    /// The columns an events file must have.
    public static let requiredColumns = ["id", "variant_id", "kind", "occurred_at"]
    /// The columns an events file may have.
    public static let allColumns = requiredColumns + ["value", "publication_id"]

    /// Parses and validates every row; refuses the whole file if any row is bad.
    ///
    /// - Parameters:
    ///   - bytes: The file's contents.
    ///   - source: The file's name, used in errors (`events.csv:17: kind: ...`).
    ///   - policy: Time bounds for `occurred_at`.
    ///   - isKnownVariant: Whether a variant id exists in the workspace.
    ///   - publications: The publications rows may name (`publication_id`), each only for its own variant.
    ///   - maximumErrors: How many bad rows to describe before only counting them.
    ///   - progress: Called now and then with the fraction of the file read.
    /// - Throws: ``ValidationErrors`` listing bad rows by line number, or naming a header problem.
    public static func parse(
        bytes: [UInt8],
        source: String,
        policy: EventAcceptancePolicy,
        isKnownVariant: @escaping (VariantID) -> Bool,
        publications: EventPublications = .none,
        maximumErrors: Int = 20,
        progress: (Double) -> Void = { _ in }
    ) throws(ValidationErrors) -> [EngagementEvent] {
        var reader = try Reader(
            bytes: bytes,
            source: source,
            policy: policy,
            isKnownVariant: isKnownVariant,
            publications: publications,
            maximumErrors: maximumErrors
        )
        var events: [EngagementEvent] = []
        events.reserveCapacity(bytes.count / 100)
        while let chunk = try reader.next(upTo: 65_536) {
            events += chunk
            progress(reader.progress)
        }
        progress(1)
        return events
    }

    /// Reads an events file a chunk of rows at a time, so rows can be sent on while the rest is read.
    ///
    /// Every row is checked. Once a bad row is found no more events are handed out, but reading goes on
    /// to the end so that every bad row is named; the last call to ``next(upTo:)`` then throws them all.
    public struct Reader {
        private var reader: CSVReader
        private let header: CSVReader.Record
        private let columns: Columns
        private let source: String
        private let policy: EventAcceptancePolicy
        private let isKnownVariant: (VariantID) -> Bool
        private let publications: EventPublications
        private let maximumErrors: Int
        private var errors: [ValidationError] = []
        private var errorCount = 0
        private var ended = false

        /// Reads the header row.
        ///
        /// - Throws: ``ValidationErrors`` naming a missing, unknown or repeated column, or an empty file.
        public init(
            bytes: [UInt8],
            source: String,
            policy: EventAcceptancePolicy,
            isKnownVariant: @escaping (VariantID) -> Bool,
            publications: EventPublications = .none,
            maximumErrors: Int = 20
        ) throws(ValidationErrors) {
            var reader = CSVReader(bytes: bytes)
            let header: CSVReader.Record
            do {
                guard let first = try reader.next() else {
                    throw ValidationErrors([
                        ValidationError(
                            location: source,
                            field: "",
                            reason: "the file is empty; expected a header row \(allColumns.joined(separator: ","))"
                        )
                    ])
                }
                header = first
            } catch let error as ValidationError {
                throw ValidationErrors([EventCSV.relocate(error, source: source)])
            } catch let errors as ValidationErrors {
                throw errors
            } catch {
                throw ValidationErrors([ValidationError(location: source, field: "", reason: "\(error)")])
            }
            self.columns = try EventCSV.columnIndexes(header, source: source)
            self.reader = reader
            self.header = header
            self.source = source
            self.policy = policy
            self.isKnownVariant = isKnownVariant
            self.publications = publications
            self.maximumErrors = maximumErrors
        }

        /// Whether the file has a `publication_id` column (then the publications it may name must be looked up).
        public var namesPublications: Bool { columns.publication != nil }

        /// The fraction of the file read so far.
        public var progress: Double { reader.progress }

        /// The next events, at most `limit` of them (and at least one unless the file ends), or `nil` at the end.
        ///
        /// - Throws: ``ValidationErrors`` at the end of the file if any row was bad.
        public mutating func next(upTo limit: Int) throws(ValidationErrors) -> [EngagementEvent]? {
            var events: [EngagementEvent] = []
            events.reserveCapacity(min(limit, 65_536))
            while events.count < limit, !ended {
                guard let event = readRow() else { continue }
                if errorCount == 0 { events.append(event) }
            }
            if !events.isEmpty { return events }
            if errorCount > 0 { throw ValidationErrors(errors, total: errorCount) }
            return nil
        }

        /// Reads one row: its event when it is good, `nil` when it is bad (recorded) or the file ended.
        private mutating func readRow() -> EngagementEvent? {
            let record: CSVReader.Record
            do {
                guard let next = try reader.next() else {
                    ended = true
                    return nil
                }
                record = next
            } catch {
                note(EventCSV.relocate(error, source: source))
                ended = true  // the rest of the file cannot be split into rows reliably
                return nil
            }
            guard record.fields.count == header.fields.count else {
                note(
                    ValidationError(
                        location: "\(source):\(record.line)",
                        field: "",
                        reason: "has \(record.fields.count) fields; the header has \(header.fields.count)"
                    )
                )
                return nil
            }
            do {
                return try policy.event(
                    id: record.fields[columns.id],
                    variantID: record.fields[columns.variantID],
                    kind: record.fields[columns.kind],
                    occurredAt: record.fields[columns.occurredAt],
                    value: columns.value.map { record.fields[$0] },
                    publicationID: columns.publication.map { record.fields[$0] },
                    isKnownVariant: isKnownVariant,
                    publications: publications
                )
            } catch {
                note(error.at("\(source):\(record.line)"))
                return nil
            }
        }

        private mutating func note(_ error: ValidationError) {
            errorCount += 1
            if errors.count < maximumErrors { errors.append(error) }
        }
    }

    private struct Columns {
        var id: Int
        var variantID: Int
        var kind: Int
        var occurredAt: Int
        var value: Int?
        var publication: Int?
    }

    private static func columnIndexes(_ header: CSVReader.Record, source: String) throws(ValidationErrors) -> Columns {
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        for (index, name) in names.enumerated() {
            guard allColumns.contains(name) else {
                throw ValidationErrors([
                    ValidationError(
                        location: "\(source):1",
                        field: "",
                        reason: "unknown column \"\(header.fields[index])\"; expected \(allColumns.joined(separator: ","))"
                    )
                ])
            }
            if names[..<index].contains(name) {
                throw ValidationErrors([ValidationError(location: "\(source):1", field: "", reason: "column \"\(name)\" appears twice")])
            }
        }
        let missing = requiredColumns.filter { !names.contains($0) }
        guard missing.isEmpty else {
            throw ValidationErrors([
                ValidationError(
                    location: "\(source):1",
                    field: "",
                    reason:
                        "missing column\(missing.count > 1 ? "s" : "") \(missing.joined(separator: ", ")); expected a header row \(allColumns.joined(separator: ","))"
                )
            ])
        }
        return Columns(
            id: names.firstIndex(of: "id")!,
            variantID: names.firstIndex(of: "variant_id")!,
            kind: names.firstIndex(of: "kind")!,
            occurredAt: names.firstIndex(of: "occurred_at")!,
            value: names.firstIndex(of: "value"),
            publication: names.firstIndex(of: "publication_id")
        )
    }

    /// Turns a reader error located at `line N` into one at `source:N`.
    private static func relocate(_ error: ValidationError, source: String) -> ValidationError {
        let line = error.location.hasPrefix("line ") ? String(error.location.dropFirst(5)) : error.location
        return error.at("\(source):\(line)")
    }
}
