import Foundation

/// Reads engagement events posted as JSON: an array of objects, or NDJSON (one object per line).
///
/// Each object is `{"id": uuid, "variant_id": uuid, "kind": "...", "occurred_at": ISO 8601, "value"?: number,
/// "publication_id"?: uuid}`.
/// Reading is two steps so the caller can look up only the variants a batch names:
/// ``rows(from:maximumRows:)`` checks the shape of every row, then ``events(_:policy:isKnownVariant:maximumErrors:)``
/// checks the values. Either step reports every bad row (`row 3: kind: ...`), and a batch with any
/// bad row yields no events.
public enum EventJSON {
    /// One row as posted, with the problems of its shape.
    public struct Row: Sendable, Equatable {
        /// `row N` (array) or `line N` (NDJSON), counted from 1.
        public var location: String
        public var id: String?
        public var variantID: String?
        public var kind: String?
        public var occurredAt: String?
        public var value: Double?
        /// The publication the event belongs to, when the sender names one.
        public var publicationID: String?
        /// What is wrong with the row's shape (wrong types, unknown or missing fields).
        public var problems: [ValidationError]
    }

    /// Too many rows for one batch.
    public struct TooManyRows: Error, Sendable, Equatable, CustomStringConvertible {
        public var rows: Int
        public var maximum: Int
        public init(rows: Int, maximum: Int) {
            self.rows = rows
            self.maximum = maximum
        }

        public var description: String { "the batch has \(rows) rows; at most \(maximum) are accepted per request, split it" }
    }

    /// The fields an event may have.
    public static let fields = ["id", "variant_id", "kind", "occurred_at", "value", "publication_id"]

    /// Splits a body into rows and checks each row's shape.
    ///
    /// - Throws: ``ValidationErrors`` when the body is not JSON (or not UTF-8), ``TooManyRows`` past `maximumRows`.
    public static func rows(from bytes: [UInt8], maximumRows: Int) throws -> [Row] {
        guard let first = bytes.first(where: { !isWhitespace($0) }) else {
            throw ValidationErrors([ValidationError(location: "body", field: "", reason: "is empty; send a JSON array or NDJSON of events")])
        }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw ValidationErrors([ValidationError(location: "body", field: "", reason: "is not valid UTF-8")])
        }
        // Most bodies are flat objects with plain strings and numbers: read those directly. Anything
        // else (escapes, nesting, wrong types, unknown or missing fields) takes the general path
        // below, which names every problem.
        if let rows = FlatEventReader.rows(bytes), rows.count <= maximumRows { return rows }
        return try decodedRows(from: bytes, first: first, maximumRows: maximumRows)
    }

    /// ``rows(from:maximumRows:)`` through `JSONDecoder`, which reports every problem of every row.
    static func decodedRows(from bytes: [UInt8], first: UInt8, maximumRows: Int) throws -> [Row] {
        // JSONDecoder refuses some zeros that JSON allows (`0e5`, `-0.0e-3`, `1e-400`): write them plainly first.
        let bytes = JSONNumber.zerosWrittenPlainly(bytes) ?? bytes
        if first == UInt8(ascii: "[") {
            let decoded: [LenientRow]
            do {
                decoded = try JSONDecoder().decode([LenientRow].self, from: Data(bytes))
            } catch {
                throw ValidationErrors([ValidationError(location: "body", field: "", reason: "is not a valid JSON array (\(describe(error)))")])
            }
            guard decoded.count <= maximumRows else { throw TooManyRows(rows: decoded.count, maximum: maximumRows) }
            return decoded.enumerated().map { index, row in row.row(location: "row \(index + 1)") }
        }
        guard first == UInt8(ascii: "{") else {
            throw ValidationErrors([
                ValidationError(location: "body", field: "", reason: "must be a JSON array of events or NDJSON (one event object per line)")
            ])
        }
        var rows: [Row] = []
        let decoder = JSONDecoder()
        var lineNumber = 0
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            guard line.contains(where: { !isWhitespace($0) }) else { continue }
            guard rows.count < maximumRows else {
                let total = rows.count + 1 + bytes[line.endIndex...].split(separator: UInt8(ascii: "\n")).count
                throw TooManyRows(rows: total, maximum: maximumRows)
            }
            do {
                let row = try decoder.decode(LenientRow.self, from: Data(line))
                rows.append(row.row(location: "line \(lineNumber)"))
            } catch {
                var row = Row(location: "line \(lineNumber)", problems: [])
                row.problems = [ValidationError(location: row.location, field: "", reason: "is not a JSON object (\(describe(error)))")]
                rows.append(row)
            }
        }
        return rows
    }

    /// The variant ids the rows name (those that are UUIDs), for one lookup.
    public static func variantIDs(in rows: [Row]) -> Set<VariantID> {
        Set(rows.compactMap { $0.variantID.flatMap { VariantID($0) } })
    }

    /// The publication ids the rows name (those that are UUIDs), for one lookup.
    public static func publicationIDs(in rows: [Row]) -> Set<UUID> {
        Set(rows.compactMap { $0.publicationID.flatMap { UUIDText.parse($0) } })
    }

    /// Checks every row's values and builds the events; refuses the whole batch when any row is bad.
    ///
    /// - Parameter publications: The publications rows may name (`publication_id`), each only for its own variant.
    /// - Throws: ``ValidationErrors`` with the first `maximumErrors` problems and the total count.
    public static func events(
        _ rows: [Row],
        policy: EventAcceptancePolicy,
        isKnownVariant: (VariantID) -> Bool,
        publications: EventPublications = .none,
        maximumErrors: Int = 100
    ) throws(ValidationErrors) -> [EngagementEvent] {
        var events: [EngagementEvent] = []
        events.reserveCapacity(rows.count)
        var errors: [ValidationError] = []
        var total = 0
        for row in rows {
            if !row.problems.isEmpty {
                total += row.problems.count
                errors.append(contentsOf: row.problems.prefix(max(0, maximumErrors - errors.count)))
                continue
            }
            do {
                events.append(
                    try policy.event(
                        id: row.id ?? "",
                        variantID: row.variantID ?? "",
                        kind: row.kind ?? "",
                        occurredAt: row.occurredAt ?? "",
                        value: row.value.map { "\($0)" },
                        publicationID: row.publicationID,
                        isKnownVariant: isKnownVariant,
                        publications: publications
                    )
                )
            } catch {
                total += 1
                if errors.count < maximumErrors { errors.append(error.at(row.location)) }
            }
        }
        guard total == 0 else { throw ValidationErrors(errors, total: total) }
        return events
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    static func describe(_ error: any Error) -> String {
        guard let decoding = error as? DecodingError else { return "\(error)" }
        switch decoding {
        case .dataCorrupted(let context):
            let underlying = (context.underlyingError as? NSError)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return underlying ?? context.debugDescription
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context):
            return context.debugDescription
        @unknown default:
            return "\(decoding)"
        }
    }
}

/// A row decoded without throwing on the row's own problems, so every bad row can be reported.
private struct LenientRow: Decodable {
    var fields: [String: String] = [:]
    var value: Double?
    var problems: [(field: String, reason: String)] = []

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container: KeyedDecodingContainer<Key>
        do {
            container = try decoder.container(keyedBy: Key.self)
        } catch {
            problems.append(("", "is not a JSON object"))
            return
        }
        for key in container.allKeys {
            let name = key.stringValue
            switch name {
            case "value":
                if (try? container.decodeNil(forKey: key)) == true { continue }
                if let number = try? container.decode(Double.self, forKey: key), number.isFinite {
                    value = number
                } else {
                    problems.append(("value", "must be a finite number or null"))
                }
            case "publication_id":
                if (try? container.decodeNil(forKey: key)) == true { continue }
                if let text = try? container.decode(String.self, forKey: key) {
                    fields[name] = text
                } else {
                    problems.append((name, "must be a string (a publication's id) or null"))
                }
            case "id", "variant_id", "kind", "occurred_at":
                if let text = try? container.decode(String.self, forKey: key) {
                    fields[name] = text
                } else {
                    problems.append((name, "must be a string"))
                }
            default:
                problems.append((name, "is not a field of an event (fields: \(EventJSON.fields.joined(separator: ", ")))"))
            }
        }
        for required in ["id", "variant_id", "kind", "occurred_at"] where !container.contains(Key(stringValue: required)) {
            problems.append((required, "is required"))
        }
    }

    func row(location: String) -> EventJSON.Row {
        EventJSON.Row(
            location: location,
            id: fields["id"],
            variantID: fields["variant_id"],
            kind: fields["kind"],
            occurredAt: fields["occurred_at"],
            value: value,
            publicationID: fields["publication_id"],
            problems: problems.map { ValidationError(location: location, field: $0.field, reason: $0.reason) }
        )
    }
}
