import Foundation

/// Reads the common shape of an events body fast: a JSON array (or NDJSON lines) of flat objects whose
/// values are plain strings (no escapes), numbers or null, with exactly the fields of an event (`value` and
/// `publication_id` optional).
///
/// It gives up (returns nil) at the first thing outside that shape, and the caller reads the body with
/// `JSONDecoder` instead, which names every problem. So a body read here yields exactly the rows the
/// general path would, only sooner. UTF-8 validity is checked by the caller first.
enum FlatEventReader {
    /// The rows of `bytes`, or nil when the body is not of the simple shape.
    static func rows(_ bytes: [UInt8]) -> [EventJSON.Row]? {
        bytes.withUnsafeBufferPointer { buffer in
            var reader = Cursor(bytes: buffer)
            reader.skipWhitespace()
            guard let first = reader.peek() else { return nil }
            var rows: [EventJSON.Row] = []
            if first == UInt8(ascii: "[") {
                reader.position += 1
                reader.skipWhitespace()
                if reader.peek() == UInt8(ascii: "]") {
                    reader.position += 1
                } else {
                    while true {
                        guard var row = reader.object() else { return nil }
                        row.location = "row \(rows.count + 1)"
                        rows.append(row)
                        reader.skipWhitespace()
                        guard let next = reader.take() else { return nil }
                        if next == UInt8(ascii: "]") { break }
                        guard next == UInt8(ascii: ",") else { return nil }
                    }
                }
                reader.skipWhitespace()
                return reader.atEnd ? rows : nil
            }
            guard first == UInt8(ascii: "{") else { return nil }
            // NDJSON: one object per line; blank lines are skipped and counted, as the general path does.
            reader.position = 0
            var line = 1
            while true {
                reader.skipBlanksCountingLines(&line)
                if reader.atEnd { return rows }
                let start = reader.position
                guard var row = reader.object() else { return nil }
                // An object spread over several lines is not NDJSON: the general path reports each line.
                if buffer[start..<reader.position].contains(0x0A) { return nil }
                row.location = "line \(line)"
                rows.append(row)
                reader.skipSpacesAndTabs()
                if reader.atEnd { return rows }
                guard reader.take() == UInt8(ascii: "\n") else { return nil }
                line += 1
            }
        }
    }

    struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0

        var atEnd: Bool { position >= bytes.count }

        func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func take() -> UInt8? {
            guard position < bytes.count else { return nil }
            defer { position += 1 }
            return bytes[position]
        }

        mutating func skipWhitespace() {
            while position < bytes.count, EventJSON.isWhitespace(bytes[position]) { position += 1 }
        }

        mutating func skipSpacesAndTabs() {
            while position < bytes.count, bytes[position] == 0x20 || bytes[position] == 0x09 || bytes[position] == 0x0D { position += 1 }
        }

        /// Skips whitespace, counting the line ends passed.
        mutating func skipBlanksCountingLines(_ line: inout Int) {
            while position < bytes.count, EventJSON.isWhitespace(bytes[position]) {
                if bytes[position] == 0x0A { line += 1 }
                position += 1
            }
        }

        /// A plain string: no escapes and no control characters, else nil.
        mutating func string() -> String? {
            guard take() == UInt8(ascii: "\"") else { return nil }
            let start = position
            while position < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") {
                    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
                    position += 1
                    return text
                }
                if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
                position += 1
            }
            return nil
        }

        /// A JSON number that is a finite Double, else nil.
        mutating func number() -> Double? {
            guard let end = JSONNumber.end(in: bytes, from: position) else { return nil }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[position..<end]), as: UTF8.self)
            position = end
            guard let value = Double(text), value.isFinite else { return nil }
            return value
        }

        /// Whether the literal `null` follows (consumed if so).
        mutating func null() -> Bool {
            guard position + 4 <= bytes.count, bytes[position] == UInt8(ascii: "n"), bytes[position + 1] == UInt8(ascii: "u"),
                bytes[position + 2] == UInt8(ascii: "l"), bytes[position + 3] == UInt8(ascii: "l")
            else { return false }
            position += 4
            return true
        }

        /// One event object with exactly the required fields (and `value`, `publication_id`), each once, else nil.
        mutating func object() -> EventJSON.Row? {
            skipWhitespace()
            guard take() == UInt8(ascii: "{") else { return nil }
            var row = EventJSON.Row(location: "", problems: [])
            var seen: Set<String> = []
            skipWhitespace()
            if peek() == UInt8(ascii: "}") { return nil }  // an empty object misses fields: the general path says which
            while true {
                skipWhitespace()
                guard let key = string(), seen.insert(key).inserted else { return nil }
                skipWhitespace()
                guard take() == UInt8(ascii: ":") else { return nil }
                skipWhitespace()
                switch key {
                case "id": row.id = string()
                case "variant_id": row.variantID = string()
                case "kind": row.kind = string()
                case "occurred_at": row.occurredAt = string()
                case "value":
                    if !null() {
                        guard let number = number() else { return nil }
                        row.value = number
                    }
                case "publication_id":
                    if !null() {
                        guard let text = string() else { return nil }
                        row.publicationID = text
                    }
                default: return nil
                }
                if key != "value", key != "publication_id",
                    (key == "id" ? row.id : key == "variant_id" ? row.variantID : key == "kind" ? row.kind : row.occurredAt) == nil
                {
                    return nil
                }
                skipWhitespace()
                guard let next = take() else { return nil }
                if next == UInt8(ascii: "}") { break }
                guard next == UInt8(ascii: ",") else { return nil }
            }
            guard row.id != nil, row.variantID != nil, row.kind != nil, row.occurredAt != nil else { return nil }
            return row
        }
    }
}
