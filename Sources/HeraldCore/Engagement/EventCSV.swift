import Foundation

/// Reads engagement events from CSV with a header row: `id,variant_id,kind,occurred_at,value`
/// (any column order; `value` may be absent or empty).
public enum EventCSV {
    /// The columns an events file must have.
    public static let requiredColumns = ["id", "variant_id", "kind", "occurred_at"]
    /// The columns an events file may have.
    public static let allColumns = requiredColumns + ["value"]

    /// Parses and validates every row; refuses the whole file if any row is bad.
    ///
    /// - Parameters:
    ///   - bytes: The file's contents.
    ///   - source: The file's name, used in errors (`events.csv:17: kind: ...`).
    ///   - policy: Time bounds for `occurred_at`.
    ///   - isKnownVariant: Whether a variant id exists in the workspace.
    ///   - maximumErrors: How many bad rows to describe before only counting them.
    ///   - progress: Called now and then with the fraction of the file read.
    /// - Throws: ``ValidationErrors`` listing bad rows by line number, or naming a header problem.
    public static func parse(
        bytes: [UInt8],
        source: String,
        policy: EventAcceptancePolicy,
        isKnownVariant: (VariantID) -> Bool,
        maximumErrors: Int = 20,
        progress: (Double) -> Void = { _ in }
    ) throws(ValidationErrors) -> [EngagementEvent] {
        var reader = CSVReader(bytes: bytes)
        let header: CSVReader.Record
        do {
            guard let first = try reader.next() else {
                throw ValidationErrors([ValidationError(location: source, field: "", reason: "the file is empty; expected a header row \(allColumns.joined(separator: ","))")])
            }
            header = first
        } catch let error as ValidationError {
            throw ValidationErrors([relocate(error, source: source)])
        } catch let errors as ValidationErrors {
            throw errors
        } catch {
            throw ValidationErrors([ValidationError(location: source, field: "", reason: "\(error)")])
        }
        let columns = try columnIndexes(header, source: source)

        var events: [EngagementEvent] = []
        events.reserveCapacity(bytes.count / 100)
        var errors: [ValidationError] = []
        var errorCount = 0
        var rows = 0
        while true {
            let record: CSVReader.Record
            do {
                guard let next = try reader.next() else { break }
                record = next
            } catch {
                errorCount += 1
                errors.append(relocate(error, source: source))
                break  // the rest of the file cannot be split into rows reliably
            }
            rows += 1
            if rows % 65_536 == 0 { progress(reader.progress) }
            guard record.fields.count == header.fields.count else {
                errorCount += 1
                if errors.count < maximumErrors {
                    errors.append(
                        ValidationError(
                            location: "\(source):\(record.line)",
                            field: "",
                            reason: "has \(record.fields.count) fields; the header has \(header.fields.count)"
                        )
                    )
                }
                continue
            }
            do {
                let event = try policy.event(
                    id: record.fields[columns.id],
                    variantID: record.fields[columns.variantID],
                    kind: record.fields[columns.kind],
                    occurredAt: record.fields[columns.occurredAt],
                    value: columns.value.map { record.fields[$0] },
                    isKnownVariant: isKnownVariant
                )
                if errorCount == 0 { events.append(event) }
            } catch {
                errorCount += 1
                if errors.count < maximumErrors { errors.append(error.at("\(source):\(record.line)")) }
            }
        }
        progress(1)
        guard errorCount == 0 else { throw ValidationErrors(errors, total: errorCount) }
        return events
    }

    private struct Columns {
        var id: Int
        var variantID: Int
        var kind: Int
        var occurredAt: Int
        var value: Int?
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
                    reason: "missing column\(missing.count > 1 ? "s" : "") \(missing.joined(separator: ", ")); expected a header row \(allColumns.joined(separator: ","))"
                )
            ])
        }
        return Columns(
            id: names.firstIndex(of: "id")!,
            variantID: names.firstIndex(of: "variant_id")!,
            kind: names.firstIndex(of: "kind")!,
            occurredAt: names.firstIndex(of: "occurred_at")!,
            value: names.firstIndex(of: "value")
        )
    }

    /// Turns a reader error located at `line N` into one at `source:N`.
    private static func relocate(_ error: ValidationError, source: String) -> ValidationError {
        let line = error.location.hasPrefix("line ") ? String(error.location.dropFirst(5)) : error.location
        return error.at("\(source):\(line)")
    }
}
